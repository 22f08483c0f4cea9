-- scms misbehavior handling and revocation (PostgreSQL): what the ACA keeps per
-- pseudonym certificate for investigations, the RA's request references, the
-- MA's reports and decisions, and the CRL generator's revocation entries.
-- Keep in step with ../sqlite/0003_misbehavior.sql. Each authority uses its
-- own database in production; the tables are disjoint.

-- ACA: per issued pseudonym certificate, the RA request it answered (HPCR =
-- SHA-256 of the RaAcaCertRequestSpdu), its linkage value and the encrypted
-- pre-linkage values it received. No enrollment identity.
CREATE TABLE aca_linkage (
    hpcr            BYTEA   NOT NULL PRIMARY KEY,
    linkage_value   BYTEA   NOT NULL,
    i               BIGINT  NOT NULL,
    hashed_id8      BYTEA   NOT NULL,               -- of the pseudonym certificate
    enc_plv1        BYTEA   NOT NULL,               -- COER EncryptedIndividualPLV of LA1
    enc_plv2        BYTEA   NOT NULL,
    ra              TEXT    NOT NULL,               -- the requesting RA (HashedId8 hex)
    created_at      BIGINT  NOT NULL
);
CREATE INDEX aca_linkage_lv ON aca_linkage (linkage_value);

-- RA: the HPCR of each RaAcaCertRequestSpdu it sent, to its device request.
CREATE TABLE ra_hpcr (
    hpcr            BYTEA   NOT NULL PRIMARY KEY,
    device          BYTEA   NOT NULL,               -- request hash (ra_requests)
    i               BIGINT  NOT NULL,
    j               BIGINT  NOT NULL
);

-- MA: one row per (target pseudonym certificate, reporter certificate);
-- a repeated report merges into it.
CREATE TABLE ma_reports (
    target          BYTEA   NOT NULL,               -- HashedId8 of the reported certificate
    reporter        BYTEA   NOT NULL,               -- HashedId8 of the reporter's certificate
    findings        TEXT    NOT NULL,               -- JSON list of rule names
    severe          BIGINT  NOT NULL,
    evidence        BYTEA   NOT NULL,               -- the signed report (SignedMisbehaviorReport)
    first_at        BIGINT  NOT NULL,
    last_at         BIGINT  NOT NULL,
    reports         BIGINT  NOT NULL,
    PRIMARY KEY (target, reporter)
);

-- MA: decisions per target (revoked targets are not investigated twice).
CREATE TABLE ma_decisions (
    target          BYTEA   NOT NULL PRIMARY KEY,
    decision        TEXT    NOT NULL,
    details         TEXT    NOT NULL,               -- JSON: reporters, findings, investigation
    created_at      BIGINT  NOT NULL
);

-- CRL generator: revocation entries by CRL series (linkage entries: LA ids,
-- seeds, iRev, iMax, jMax; hash entries: HashedId10 and expiry), binary.
CREATE TABLE crl_entries (
    series          BIGINT  NOT NULL,
    entry           BYTEA   NOT NULL,
    created_at      BIGINT  NOT NULL,
    PRIMARY KEY (series, entry)
);
