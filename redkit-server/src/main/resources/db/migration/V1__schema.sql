-- Redkit reference server schema, version 1.

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    email         text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id          bigserial PRIMARY KEY,
    sku         text NOT NULL UNIQUE,
    name        text NOT NULL,
    category    text NOT NULL,
    price_cents integer NOT NULL CHECK (price_cents >= 0),
    stock       integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
    description text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- the category page: WHERE category = ? ORDER BY name, id LIMIT/OFFSET
CREATE INDEX products_category_name ON products (category, name, id);

-- the email job writes here, once per job even when the job is retried (job_id = queue:id:created-millis is unique)
CREATE TABLE outbox (
    id         bigserial PRIMARY KEY,
    job_id     text NOT NULL UNIQUE,
    recipient  text NOT NULL,
    subject    text NOT NULL,
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
