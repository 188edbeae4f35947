-- Redkit reference server schema, version 3: the jobs ordinary users added, for their quota
-- (REDKIT_USER_JOBS_IN_FLIGHT, REDKIT_USER_JOB_PAYLOAD_BYTES). A row stays while its job may still
-- be in flight; the next add by the same user deletes the rows whose jobs completed, died or are gone.

CREATE TABLE user_jobs (
    id            bigserial PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    queue         text NOT NULL,
    job_id        text NOT NULL,
    payload_bytes int NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_jobs_by_user ON user_jobs (user_id);
