-- scms provisioning state (PostgreSQL): RA requests, queue, in-flight requests and
-- stored (encrypted) ACA responses, the RA blocklist, and the LA chains and
-- ACA key (both sealed). Keep in step with ../sqlite/0002_provisioning.sql.
-- Each authority uses its own database in production; the tables are disjoint.

-- Accepted requests by request hash (HashedId8 of the EeRaCertRequestSpdu):
-- the idempotency key. `record` is the RA's binary RequestRecord (no
-- pseudonym certificate, no pre-linkage value), `ack` the answer given.
CREATE TABLE ra_requests (
    request_hash    BYTEA   NOT NULL PRIMARY KEY,
    enrollment      BYTEA   NOT NULL,               -- HashedId8 of the enrollment certificate
    record          BYTEA   NOT NULL,
    ack             BYTEA   NOT NULL,               -- COER RaEeCertAckSpdu
    pending         BIGINT  NOT NULL,               -- 1 until expanded
    created_at      BIGINT  NOT NULL
);

-- Expanded (i, j) items waiting for the shuffle.
CREATE TABLE ra_queue (
    device          BYTEA   NOT NULL,               -- request hash (opaque token)
    i               BIGINT  NOT NULL,
    j               BIGINT  NOT NULL,
    enqueued        BIGINT  NOT NULL,               -- Time32
    explicit        BIGINT  NOT NULL,
    tbs_cert        BYTEA   NOT NULL,
    linkage_info    BYTEA   NOT NULL,               -- encrypted PLVs only
    cert_enc_key    BYTEA   NOT NULL,
    PRIMARY KEY (device, i, j)
);

-- Released to the ACA, by HashedId8 of the RaAcaCertRequestSpdu (resent after a restart).
CREATE TABLE ra_in_flight (
    spdu_hash       BYTEA   NOT NULL PRIMARY KEY,
    device          BYTEA   NOT NULL,
    i               BIGINT  NOT NULL,
    j               BIGINT  NOT NULL,
    spdu            BYTEA   NOT NULL
);

-- ACA responses (AcaEeCertResponsePrivateSpdu, encrypted to the device).
CREATE TABLE ra_responses (
    device          BYTEA   NOT NULL,
    i               BIGINT  NOT NULL,
    j               BIGINT  NOT NULL,
    response        BYTEA   NOT NULL,
    PRIMARY KEY (device, i, j)
);

-- Enrollment certificates (HashedId8) that may not provision.
CREATE TABLE ra_blocklist (
    enrollment      BYTEA   NOT NULL PRIMARY KEY,
    created_at      BIGINT  NOT NULL
);

-- LA linkage chains: first i-period and the seed, sealed (AES-128-CCM
-- envelope under a key derived from the LA's ECDH with itself).
CREATE TABLE la_chains (
    la_id           BIGINT  NOT NULL,
    chain_id        BYTEA   NOT NULL,
    sealed          BYTEA   NOT NULL,
    created_at      BIGINT  NOT NULL,
    PRIMARY KEY (la_id, chain_id)
);

-- The key an LA shares with the ACA: sealed, and the message for the ACA
-- (encrypted to the ACA certificate).
CREATE TABLE la_aca_keys (
    la_id           BIGINT  NOT NULL PRIMARY KEY,
    sealed_key      BYTEA   NOT NULL,
    aca_message     BYTEA   NOT NULL,
    created_at      BIGINT  NOT NULL
);
