-- scms misbehavior handling and revocation (SQLite): what the ACA keeps per
-- pseudonym certificate for investigations, the RA's request references, the
-- MA's reports and decisions, and the CRL generator's revocation entries.
-- Keep in step with ../postgres/0003_misbehavior.sql. Each authority uses its
-- own database in production; the tables are disjoint.

-- ACA: per issued pseudonym certificate, the RA request it answered (HPCR =
-- SHA-256 of the RaAcaCertRequestSpdu), its linkage value and the encrypted
-- pre-linkage values it received. No enrollment identity.
CREATE TABLE aca_linkage (
    hpcr            BLOB    NOT NULL PRIMARY KEY,
    linkage_value   BLOB    NOT NULL,
    i               BIGINT  NOT NULL,
    hashed_id8      BLOB    NOT NULL,               -- of the pseudonym certificate
    enc_plv1        BLOB    NOT NULL,               -- COER EncryptedIndividualPLV of LA1
    enc_plv2        BLOB    NOT NULL,
    ra              TEXT    NOT NULL,               -- the requesting RA (HashedId8 hex)
    created_at      BIGINT  NOT NULL
);
CREATE INDEX aca_linkage_lv ON aca_linkage (linkage_value);

-- RA: the HPCR of each RaAcaCertRequestSpdu it sent, to its device request.
CREATE TABLE ra_hpcr (
    hpcr            BLOB    NOT NULL PRIMARY KEY,
    device          BLOB    NOT NULL,               -- request hash (ra_requests)
    i               BIGINT  NOT NULL,
    j               BIGINT  NOT NULL
);

-- MA: one row per (target pseudonym certificate, reporter certificate);
-- a repeated report merges into it.
CREATE TABLE ma_reports (
    target          BLOB    NOT NULL,               -- HashedId8 of the reported certificate
    reporter        BLOB    NOT NULL,               -- HashedId8 of the reporter's certificate
    findings        TEXT    NOT NULL,               -- JSON list of rule names
    severe          BIGINT  NOT NULL,
    evidence        BLOB    NOT NULL,               -- the signed report (SignedMisbehaviorReport)
    first_at        BIGINT  NOT NULL,
    last_at         BIGINT  NOT NULL,
    reports         BIGINT  NOT NULL,
    PRIMARY KEY (target, reporter)
);

-- MA: decisions per target (revoked targets are not investigated twice).
CREATE TABLE ma_decisions (
    target          BLOB    NOT NULL PRIMARY KEY,
    decision        TEXT    NOT NULL,
    details         TEXT    NOT NULL,               -- JSON: reporters, findings, investigation
    created_at      BIGINT  NOT NULL
);

-- CRL generator: revocation entries by CRL series (linkage entries: LA ids,
-- seeds, iRev, iMax, jMax; hash entries: HashedId10 and expiry), binary.
CREATE TABLE crl_entries (
    series          BIGINT  NOT NULL,
    entry           BLOB    NOT NULL,
    created_at      BIGINT  NOT NULL,
    PRIMARY KEY (series, entry)
);
