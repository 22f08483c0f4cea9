-- scms CA store (SQLite). Keep in step with ../postgres/0001_ca_store.sql:
-- same tables, columns and constraints; only the type names differ.

-- Every certificate the CA issued (authority, enrollment, pseudonym).
CREATE TABLE certificates (
    hashed_id8      BLOB    NOT NULL PRIMARY KEY,   -- 8 octets, UNIQUE by the key
    issuer          BLOB,                           -- HashedId8 of the issuer, NULL when self-signed
    issuer_key      TEXT    NOT NULL,               -- label of the key that signed
    role            TEXT    NOT NULL,               -- root ica eca aca ra la ma crl elector enrollment pseudonym
    profile         TEXT    NOT NULL,
    kind            TEXT    NOT NULL,               -- explicit | implicit
    curve           TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    validity_start  BIGINT  NOT NULL,               -- Time32
    validity_end    BIGINT  NOT NULL,               -- Time32, first second after
    certificate     BLOB    NOT NULL,               -- COER
    created_at      BIGINT  NOT NULL                -- Unix seconds
);
CREATE INDEX certificates_issuer ON certificates (issuer);

-- The authorities of this installation by name (root, ica, eca, ..., elector-N).
CREATE TABLE authorities (
    name            TEXT    NOT NULL PRIMARY KEY,
    hashed_id8      BLOB    NOT NULL REFERENCES certificates (hashed_id8),
    key_label       TEXT    NOT NULL,
    profile_toml    TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL
);

-- Requests with their idempotency key (the hash of the request bytes) and the
-- answer given: the same request again gets the same answer.
CREATE TABLE requests (
    request_hash    BLOB    NOT NULL PRIMARY KEY,   -- SHA-256 of the request
    kind            TEXT    NOT NULL,
    hashed_id8      BLOB    REFERENCES certificates (hashed_id8),
    response        BLOB    NOT NULL,
    created_at      BIGINT  NOT NULL
);

-- CRLs issued, by series and serial.
CREATE TABLE crls (
    crl_series      BIGINT  NOT NULL,
    crl_serial      BIGINT  NOT NULL,
    issue_date      BIGINT  NOT NULL,               -- Time32
    next_crl        BIGINT  NOT NULL,               -- Time32
    signer          BLOB    NOT NULL,               -- HashedId8 of the CRL signer
    crl             BLOB    NOT NULL,               -- COER SecuredCrl
    created_at      BIGINT  NOT NULL,
    PRIMARY KEY (crl_series, crl_serial)
);

-- CTLs issued, by series and sequence number.
CREATE TABLE ctls (
    series_id       BLOB    NOT NULL,               -- ctlSeriesId, 8 octets
    sequence_number BIGINT  NOT NULL,
    effective_date  BIGINT  NOT NULL,               -- Time32
    ctl             BLOB    NOT NULL,               -- COER MultiSignedCtlSpdu
    created_at      BIGINT  NOT NULL,
    PRIMARY KEY (series_id, sequence_number)
);

-- Append-only, hash-chained audit log:
-- entry_hash = SHA-256(prev_hash || canonical entry), prev_hash of seq 1 = 32 zero octets.
CREATE TABLE audit_log (
    seq             BIGINT  NOT NULL PRIMARY KEY,
    prev_hash       BLOB    NOT NULL,
    entry_hash      BLOB    NOT NULL,
    kind            TEXT    NOT NULL,
    details         TEXT    NOT NULL,               -- canonical JSON
    created_at      BIGINT  NOT NULL                -- Unix seconds
);

-- The head of the chain: one row, updated first in every writing transaction,
-- which serialises the writers of the chain on both backends.
CREATE TABLE audit_head (
    id              BIGINT  NOT NULL PRIMARY KEY CHECK (id = 1),
    seq             BIGINT  NOT NULL,
    head_hash       BLOB    NOT NULL
);
INSERT INTO audit_head (id, seq, head_hash) VALUES (1, 0, X'0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only: the log refuses updates and deletes.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
