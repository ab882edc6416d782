-- Collections: per-collection chunking and embedding settings are fixed at creation,
-- because every stored vector depends on them.
CREATE TABLE collections (
    id uuid PRIMARY KEY,
    owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL,
    description text NOT NULL DEFAULT '',
    chunk_size integer NOT NULL,
    chunk_overlap integer NOT NULL,
    embedding_provider text NOT NULL,
    embedding_model text NOT NULL,
    embedding_dimension integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE INDEX collections_owner ON collections (owner_id, created_at DESC) WHERE deleted_at IS NULL;

-- Documents carry their ingestion state; version grows on every re-index so a late, stale
-- queue entry can tell it is stale.
CREATE TABLE documents (
    id uuid PRIMARY KEY,
    collection_id uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL,
    content_type text NOT NULL,
    size bigint NOT NULL,
    content_hash bytea NOT NULL,
    status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'RUNNING', 'COMPLETE', 'FAILED')),
    error text,
    version integer NOT NULL DEFAULT 1,
    chunks_done integer NOT NULL DEFAULT 0,
    chunks_total integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE INDEX documents_collection ON documents (collection_id, created_at DESC) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX documents_dedupe ON documents (collection_id, content_hash) WHERE deleted_at IS NULL;
CREATE INDEX documents_status ON documents (status, updated_at) WHERE deleted_at IS NULL;

-- The uploaded bytes, kept until the document is purged, so re-indexing needs no new upload.
CREATE TABLE document_contents (
    document_id uuid PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    content bytea NOT NULL
);
