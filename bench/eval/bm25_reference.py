#!/usr/bin/env python3
"""A plain BM25 over a BEIR-layout folder, independent of Fathom's code, as the yardstick for `fathom eval`.

    bench/eval/bm25_reference.py FOLDER [--k1 0.9] [--b 0.4]

Whole documents (title + text), its own tokenizer (lowercase letters and digits), a small English stop list
and a light suffix stemmer; Robertson's BM25 with Lucene's idf, k1 and b as Anserini's defaults. Writes
FOLDER/bm25-reference.run (TREC run format, top 100 per query) and prints recall@10 and nDCG@10.
"""
import collections, json, math, os, re, sys

STOP = set("a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with".split())


def stem(w):
    if len(w) > 4 and w.endswith("ies") and not w.endswith(("eies", "aies")):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("es") and not w.endswith(("aes", "ees", "oes")):
        w = w[:-1]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("us", "ss")):
        w = w[:-1]
    for suffix in ("ing", "ed", "ly"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    return w[:-1] if len(w) > 3 and w.endswith("e") else w


def tokens(text):
    return [stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP]


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    folder = args[0]
    k1 = float(args[args.index("--k1") + 1]) if "--k1" in args else 0.9
    b = float(args[args.index("--b") + 1]) if "--b" in args else 0.4
    read = lambda name: [json.loads(line) for line in open(os.path.join(folder, name), encoding="utf-8") if line.strip()]
    docs = {d["_id"]: collections.Counter(tokens(d.get("title", "") + " " + d["text"])) for d in read("corpus.jsonl")}
    qrels = collections.defaultdict(dict)
    for line in list(open(os.path.join(folder, "qrels", "test.tsv"), encoding="utf-8"))[1:]:
        q, d, s = line.split("\t")[:3]
        qrels[q][d] = int(s)
    length = {d: sum(tf.values()) for d, tf in docs.items()}
    avgdl = sum(length.values()) / len(docs)
    df = collections.Counter(t for tf in docs.values() for t in tf)
    postings = collections.defaultdict(list)
    for d, tf in docs.items():
        for t, n in tf.items():
            postings[t].append((d, n))

    recall = ndcg = 0.0
    queries = [q for q in read("queries.jsonl") if q["_id"] in qrels]
    with open(os.path.join(folder, "bm25-reference.run"), "w", encoding="utf-8") as run:
        for q in queries:
            scores = collections.Counter()
            for t in tokens(q["text"]):  # a repeated query word counts again
                idf = math.log(1 + (len(docs) - df[t] + 0.5) / (df[t] + 0.5))
                for d, n in postings.get(t, ()):
                    scores[d] += idf * n * (k1 + 1) / (n + k1 * (1 - b + b * length[d] / avgdl))
            ranked = sorted(scores.items(), key=lambda x: (-x[1], x[0]))[:100]
            for rank, (d, s) in enumerate(ranked, 1):
                run.write(f"{q['_id']} Q0 {d} {rank} {s:.6f} bm25-reference\n")
            judged = qrels[q["_id"]]
            top = [d for d, _ in ranked[:10]]
            relevant = [d for d, s in judged.items() if s > 0]
            recall += sum(1 for d in top if judged.get(d, 0) > 0) / max(1, len(relevant))
            ideal = sum(g / math.log2(i + 2) for i, g in enumerate(sorted((s for s in judged.values() if s > 0), reverse=True)[:10]))
            ndcg += sum(judged.get(d, 0) / math.log2(i + 2) for i, d in enumerate(top)) / ideal if ideal else 0
    print(f"bm25-reference (k1 {k1}, b {b}): {len(docs)} documents, {len(queries)} queries; recall@10 {recall / len(queries):.3f}, nDCG@10 {ndcg / len(queries):.3f}")


if __name__ == "__main__":
    main()
