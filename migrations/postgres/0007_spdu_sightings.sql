-- Signed requests between authorities that a receiver accepted, so that the
-- same bytes a second time are refused as a replay. `sighting` is
-- SHA-256(SHA-256(receiver certificate) || SHA-256(SPDU)): authorities that
-- share this database (LA1 and LA2 get the same signed PLV request) keep
-- apart. A row is kept until the SPDU no longer verifies (`keep_until`,
-- Time32: the signer certificate's expiry or the end of the freshness
-- window), then pruned. Keep in step with ../sqlite/0007_spdu_sightings.sql.
CREATE TABLE spdu_sightings (
    sighting        BYTEA   NOT NULL PRIMARY KEY,
    keep_until      BIGINT  NOT NULL
);
CREATE INDEX spdu_sightings_keep_until ON spdu_sightings (keep_until);
