-- The MA's revocation survives a crash (SQLite; keep in step with
-- ../postgres/0004_ma_revocation_intent.sql): a decision to revoke is stored
-- as `revoking` with the reported certificate before the investigation
-- starts, and becomes `revoked` when the CRL generator has the entry; the MA
-- resumes every `revoking` row after a restart.
ALTER TABLE ma_decisions ADD COLUMN certificate BLOB;
