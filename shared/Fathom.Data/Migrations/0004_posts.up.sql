CREATE TABLE posts (
    id uuid PRIMARY KEY,
    author_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title text NOT NULL,
    body text NOT NULL DEFAULT '',
    published boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- Kept by Postgres itself; title words weigh more than body words in the ranking.
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')) STORED
);
CREATE INDEX posts_search ON posts USING gin (search);
CREATE INDEX posts_published_created ON posts (created_at DESC, id DESC) WHERE published;
CREATE INDEX posts_author_created ON posts (author_id, created_at DESC, id DESC);
