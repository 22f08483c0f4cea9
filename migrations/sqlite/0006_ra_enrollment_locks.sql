-- One row per enrollment certificate the RA has examined a request of: the
-- RA writes it first in the transaction that reads that device's earlier
-- requests and records a new one (on SQLite the first write takes the
-- database's write lock; on PostgreSQL the row is locked), so that RA
-- processes sharing this database decide one device's requests one at a
-- time (duplicate, "already provisioned", rate limit). Keep in step with
-- ../postgres/0006_ra_enrollment_locks.sql.
CREATE TABLE ra_enrollment_locks (
    enrollment      BLOB    NOT NULL PRIMARY KEY,   -- HashedId8 of the enrollment certificate
    locked_at       BIGINT  NOT NULL                -- Unix seconds of the last request examined
);
