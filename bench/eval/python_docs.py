#!/usr/bin/env python3
"""Builds a BEIR-layout retrieval set from the Python 3.11 library reference shipped by Debian's
python3.11-doc package (real text nobody working on Fathom wrote).

    bench/eval/python_docs.py OUT_FOLDER [--html /usr/share/doc/python3.11/html]

Corpus: every page of library/ as one document (title = the page's <h1>, text = the page body as
plain text). Queries: for each page that documents a module, the one-line synopsis of its first
module, from the module index (py-modindex.html), e.g. json -> "Encode and decode the JSON format.".
The page is the only relevant document (qrels score 1). The synopsis is removed from every document
wherever it appears verbatim (on chapter pages a module's <h1> often repeats it), and a page's own
<h1> loses its descriptive part when that equals the synopsis, so a query cannot be answered by
matching its exact sentence. Standard library only; the output is deterministic for one package
version (which it records in OUT_FOLDER/SOURCE).
"""
import html
import html.parser
import json
import os
import re
import subprocess
import sys

BLOCK = {"p", "div", "section", "li", "dt", "dd", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "table", "blockquote"}


class PageText(html.parser.HTMLParser):
    """Text of <div class="body" role="main">, blocks on their own lines, without the ¶ permalinks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0  # div depth inside the body; 0 = outside
        self.skip = 0  # inside a headerlink anchor
        self.in_h1 = False
        self.title = []
        self.parts = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div":
            if self.depth:
                self.depth += 1
            elif a.get("role") == "main":
                self.depth = 1
        if not self.depth:
            return
        if tag == "a" and "headerlink" in (a.get("class") or ""):
            self.skip += 1
        if tag == "h1":
            self.in_h1 = True
        if tag in BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "div":
            self.depth -= 1
        if tag == "a" and self.skip:
            self.skip -= 1
        if tag == "h1":
            self.in_h1 = False
        if tag in BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.depth and not self.skip:
            (self.title if self.in_h1 else self.parts).append(data)


def clean(text):
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def module_index(root):
    """(module, page, synopsis) in index order, from py-modindex.html."""
    text = open(os.path.join(root, "py-modindex.html"), encoding="utf-8").read()
    rows = re.findall(r'<a href="library/([^"#]+)\.html#module-([^"]+)"><code class="xref">[^<]*</code></a></td><td>(.*?)</td></tr>', text, re.S)
    for page, module, cell in rows:
        synopsis = re.findall(r"<em>(.*?)</em>", cell, re.S)
        # Platform notes such as "(Unix)" are also <em>; the synopsis is the last one.
        synopsis = [s for s in synopsis if not re.fullmatch(r"\s*\(.*\)\s*", s)]
        if synopsis:
            text = html.unescape(re.sub(r"<[^>]+>", "", synopsis[-1]))
            # The index keeps the directive's reST source: :pep:`3119` -> PEP 3119, ``x`` -> x.
            text = re.sub(r":(\w+):`([^`]*)`", lambda m: (m[1].upper() + " " if m[1] in ("pep", "rfc") else "") + m[2], text)
            yield module, page, " ".join(text.replace("``", "").split())


def loose(sentence):
    """A pattern for the sentence in running text: any case and spacing, final period optional."""
    words = re.findall(r"\S+", sentence.rstrip("."))
    return re.compile(r"\s+".join(re.escape(w) for w in words) + r"\.?", re.I)


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    out = args[0]
    root = args[args.index("--html") + 1] if "--html" in args else "/usr/share/doc/python3.11/html"
    library = os.path.join(root, "library")
    if not os.path.isdir(library):
        sys.exit(f"{library} not found: install Debian's python3.11-doc (apt-get install -y python3.11-doc)")

    pages = {}
    for name in sorted(os.listdir(library)):
        if name.endswith(".html"):
            parser = PageText()
            parser.feed(open(os.path.join(library, name), encoding="utf-8").read())
            pages[name[:-5]] = {"title": clean("".join(parser.title)), "text": clean("".join(parser.parts))}

    queries = {}
    for module, page, synopsis in module_index(root):
        # One query per page: the synopsis of the first module the index lists for it.
        if page in pages and page not in queries and len(synopsis.split()) >= 2:
            queries[page] = synopsis

    removed = 0
    patterns = [loose(s) for s in queries.values()]
    for doc_id, doc in pages.items():
        folded = " ".join(doc["text"].split()).lower()
        for synopsis, pattern in zip(queries.values(), patterns):
            if " ".join(synopsis.rstrip(".").split()[:2]).lower() in folded:
                doc["text"], n = pattern.subn("", doc["text"])
                removed += n
            if pattern.fullmatch(doc["title"].split(" — ", 1)[-1]):
                doc["title"] = doc["title"].split(" — ", 1)[0]
                removed += 1
        doc["text"] = clean(doc["text"])

    os.makedirs(os.path.join(out, "qrels"), exist_ok=True)
    with open(os.path.join(out, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for doc_id, doc in pages.items():
            f.write(json.dumps({"_id": doc_id, "title": doc["title"], "text": doc["text"]}, ensure_ascii=False) + "\n")
    with open(os.path.join(out, "queries.jsonl"), "w", encoding="utf-8") as f:
        for page, synopsis in queries.items():
            f.write(json.dumps({"_id": page, "text": synopsis}, ensure_ascii=False) + "\n")
    with open(os.path.join(out, "qrels", "test.tsv"), "w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\tscore\n")
        for page in queries:
            f.write(f"{page}\t{page}\t1\n")
    try:
        version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "python3.11-doc"], capture_output=True, text=True).stdout.strip()
    except OSError:
        version = "unknown"
    with open(os.path.join(out, "SOURCE"), "w", encoding="utf-8") as f:
        f.write(f"Debian python3.11-doc {version or 'unknown'}: {library}\n")
    words = sum(len(d["text"].split()) for d in pages.values())
    print(f"{out}: {len(pages)} documents ({words} words), {len(queries)} queries; synopsis removed {removed} times")


if __name__ == "__main__":
    main()
