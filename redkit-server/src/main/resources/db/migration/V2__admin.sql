-- Redkit reference server schema, version 2: roles. An admin may manage and inspect operations
-- (queues, jobs, the dashboard's data, the doctor, rate limits) and change products; every other
-- user manages only their own account and sessions. Existing users stay ordinary users.

ALTER TABLE users ADD COLUMN is_admin boolean NOT NULL DEFAULT false;
