-- scms CA store (PostgreSQL). Keep in step with ../sqlite/0001_ca_store.sql:
-- same tables, columns and constraints; only the type names differ.

-- Every certificate the CA issued (authority, enrollment, pseudonym).
CREATE TABLE certificates (
    hashed_id8      BYTEA    NOT NULL PRIMARY KEY,   -- 8 octets, UNIQUE by the key
    issuer          BYTEA,                           -- HashedId8 of the issuer, NULL when self-signed
    issuer_key      TEXT    NOT NULL,               -- label of the key that signed
    role            TEXT    NOT NULL,               -- root ica eca aca ra la ma crl elector enrollment pseudonym
    profile         TEXT    NOT NULL,
    kind            TEXT    NOT NULL,               -- explicit | implicit
    curve           TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    validity_start  BIGINT  NOT NULL,               -- Time32
    validity_end    BIGINT  NOT NULL,               -- Time32, first second after
    certificate     BYTEA    NOT NULL,               -- COER
    created_at      BIGINT  NOT NULL                -- Unix seconds
);
CREATE INDEX certificates_issuer ON certificates (issuer);

-- The authorities of this installation by name (root, ica, eca, ..., elector-N).
CREATE TABLE authorities (
    name            TEXT    NOT NULL PRIMARY KEY,
    hashed_id8      BYTEA    NOT NULL REFERENCES certificates (hashed_id8),
    key_label       TEXT    NOT NULL,
    profile_toml    TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL
);

-- Requests with their idempotency key (the hash of the request bytes) and the
-- answer given: the same request again gets the same answer.
CREATE TABLE requests (
    request_hash    BYTEA    NOT NULL PRIMARY KEY,   -- SHA-256 of the request
    kind            TEXT    NOT NULL,
    hashed_id8      BYTEA    REFERENCES certificates (hashed_id8),
    response        BYTEA    NOT NULL,
    created_at      BIGINT  NOT NULL
);

-- CRLs issued, by series and serial.
CREATE TABLE crls (
    crl_series      BIGINT  NOT NULL,
    crl_serial      BIGINT  NOT NULL,
    issue_date      BIGINT  NOT NULL,               -- Time32
    next_crl        BIGINT  NOT NULL,               -- Time32
    signer          BYTEA    NOT NULL,               -- HashedId8 of the CRL signer
    crl             BYTEA    NOT NULL,               -- COER SecuredCrl
    created_at      BIGINT  NOT NULL,
    PRIMARY KEY (crl_series, crl_serial)
);

-- CTLs issued, by series and sequence number.
CREATE TABLE ctls (
    series_id       BYTEA    NOT NULL,               -- ctlSeriesId, 8 octets
    sequence_number BIGINT  NOT NULL,
    effective_date  BIGINT  NOT NULL,               -- Time32
    ctl             BYTEA    NOT NULL,               -- COER MultiSignedCtlSpdu
    created_at      BIGINT  NOT NULL,
    PRIMARY KEY (series_id, sequence_number)
);

-- Append-only, hash-chained audit log:
-- entry_hash = SHA-256(prev_hash || canonical entry), prev_hash of seq 1 = 32 zero octets.
CREATE TABLE audit_log (
    seq             BIGINT  NOT NULL PRIMARY KEY,
    prev_hash       BYTEA    NOT NULL,
    entry_hash      BYTEA    NOT NULL,
    kind            TEXT    NOT NULL,
    details         TEXT    NOT NULL,               -- canonical JSON
    created_at      BIGINT  NOT NULL                -- Unix seconds
);

-- The head of the chain: one row, updated first in every writing transaction,
-- which serialises the writers of the chain on both backends.
CREATE TABLE audit_head (
    id              BIGINT  NOT NULL PRIMARY KEY CHECK (id = 1),
    seq             BIGINT  NOT NULL,
    head_hash       BYTEA    NOT NULL
);
INSERT INTO audit_head (id, seq, head_hash) VALUES (1, 0, '\x0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only: the log refuses updates and deletes.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
