-- BM25 parameters of a collection's full-text ranking (Anserini's defaults). They apply at query time,
-- so unlike chunking and embedding settings they can change after creation.
ALTER TABLE collections
    ADD COLUMN bm25_k1 double precision NOT NULL DEFAULT 0.9 CHECK (bm25_k1 >= 0 AND bm25_k1 <= 3),
    ADD COLUMN bm25_b double precision NOT NULL DEFAULT 0.4 CHECK (bm25_b >= 0 AND bm25_b <= 1);
