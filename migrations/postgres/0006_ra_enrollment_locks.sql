-- One row per enrollment certificate the RA has examined a request of: the
-- RA takes it (INSERT ... ON CONFLICT DO UPDATE, a row lock held until the
-- end of the transaction) before it reads that device's earlier requests
-- and records a new one, so that RA processes sharing this database decide
-- one device's requests one at a time (duplicate, "already provisioned",
-- rate limit). Keep in step with ../sqlite/0006_ra_enrollment_locks.sql.
CREATE TABLE ra_enrollment_locks (
    enrollment      BYTEA   NOT NULL PRIMARY KEY,   -- HashedId8 of the enrollment certificate
    locked_at       BIGINT  NOT NULL                -- Unix seconds of the last request examined
);
