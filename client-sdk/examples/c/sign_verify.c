/*
 * sign_verify.c: one side signs a BSM through the C ABI of the scms SDK, the
 * other verifies it; then a tampered copy and a replay must be rejected.
 *
 * Usage: sign_verify DIR NOW_US
 *   DIR holds root.oer, ica.oer, aca.oer (CA certificates, COER), pseudonym.oer
 *   (the signer's certificate) and pseudonym.key (its private key as hex; test
 *   data only). NOW_US is the 1609.2 Time64 to sign and verify at
 *   (microseconds since 2004-01-01 00:00:00 UTC).
 * Exits 0 when every verdict is the expected one.
 *
 * Build: see build.sh beside this file.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scms_sdk.h"

static int read_file(const char *dir, const char *name, uint8_t **data, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *data = malloc(n > 0 ? (size_t)n + 1 : 1);
    if (!*data || fread(*data, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        return -1;
    }
    (*data)[n] = 0;
    *len = (size_t)n;
    fclose(f);
    return 0;
}

static void report(const char *what, ScmsStatus s) {
    char msg[256];
    size_t len = 0;
    if (s != SCMS_STATUS_OK && scms_last_error(msg, sizeof msg, &len) == SCMS_STATUS_OK) {
        printf("%-24s %s (%s)\n", what, scms_status_name(s), msg);
    } else {
        printf("%-24s %s\n", what, scms_status_name(s));
    }
}

#define CHECK(call)                                                  \
    do {                                                             \
        ScmsStatus s_ = (call);                                      \
        if (s_ != SCMS_STATUS_OK) {                                  \
            report(#call, s_);                                       \
            return 1;                                                \
        }                                                            \
    } while (0)

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s DIR NOW_US\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    uint64_t now = strtoull(argv[2], NULL, 10);
    uint8_t *root, *ica, *aca, *cert, *key;
    size_t root_len, ica_len, aca_len, cert_len, key_len;
    if (read_file(dir, "root.oer", &root, &root_len) || read_file(dir, "ica.oer", &ica, &ica_len) ||
        read_file(dir, "aca.oer", &aca, &aca_len) ||
        read_file(dir, "pseudonym.oer", &cert, &cert_len) ||
        read_file(dir, "pseudonym.key", &key, &key_len)) {
        return 2;
    }

    /* Sender: a key store with the pseudonym key, and a signer. */
    ScmsKeyStore *keys = NULL;
    ScmsSigner *signer = NULL;
    CHECK(scms_memory_keystore_new(&keys));
    CHECK(scms_keystore_import_private_key_hex(keys, "pseudonym", (const char *)key));
    memset(key, 0, key_len);
    CHECK(scms_signer_new(cert, cert_len, "pseudonym", &signer));

    const char *bsm = "basic safety message from C";
    ScmsLocation here = {423300000, -830500000, 1800};
    uint8_t spdu[1024];
    size_t spdu_len = 0;
    /* A buffer that is too small is reported with the length needed. */
    ScmsStatus s = scms_signer_sign(signer, keys, 32, (const uint8_t *)bsm, strlen(bsm), now,
                                    &here, spdu, 8, &spdu_len);
    if (s != SCMS_STATUS_BUFFER_TOO_SMALL || spdu_len <= 8) {
        report("small buffer", s);
        return 1;
    }
    CHECK(scms_signer_sign(signer, keys, 32, (const uint8_t *)bsm, strlen(bsm), now, &here, spdu,
                           sizeof spdu, &spdu_len));
    printf("signed SPDU              %zu bytes\n", spdu_len);

    /* Receiver: the root as trust anchor, the CA certificates below it. */
    ScmsVerifier *verifier = NULL;
    CHECK(scms_verifier_new(&verifier));
    CHECK(scms_verifier_add_trust_anchor(verifier, root, root_len));
    CHECK(scms_verifier_add_certificate(verifier, ica, ica_len));
    CHECK(scms_verifier_add_certificate(verifier, aca, aca_len));

    int failures = 0;
    uint64_t psid = 0;
    uint8_t payload[1024];
    size_t payload_len = 0;

    /* A tampered copy (one bit of the payload) is rejected... */
    uint8_t tampered[1024];
    memcpy(tampered, spdu, spdu_len);
    size_t tampered_len = spdu_len;
    size_t at = 0;
    for (size_t i = 0; i + 5 <= spdu_len; i++) {
        if (memcmp(tampered + i, "basic", 5) == 0) {
            at = i;
            break;
        }
    }
    tampered[at] ^= 0x01;
    s = scms_verifier_verify(verifier, tampered, spdu_len, now, &psid, payload, sizeof payload,
                             &payload_len);
    report("tampered message", s);
    if (s == SCMS_STATUS_OK) failures++;

    /* ...the authentic one is valid... */
    s = scms_verifier_verify(verifier, spdu, spdu_len, now + 1000, &psid, payload, sizeof payload,
                             &payload_len);
    report("signed message", s);
    if (s != SCMS_STATUS_OK || psid != 32 || payload_len != strlen(bsm) ||
        memcmp(payload, bsm, payload_len) != 0) {
        failures++;
    } else {
        printf("  psid %llu, payload \"%.*s\"\n", (unsigned long long)psid, (int)payload_len,
               (const char *)payload);
    }

    /* ...and only once. */
    s = scms_verifier_verify(verifier, spdu, spdu_len, now + 2000, &psid, payload, sizeof payload,
                             &payload_len);
    report("replayed message", s);
    if (s != SCMS_STATUS_REPLAY) failures++;

    /* The next message (within a second) names the signer by digest. */
    CHECK(scms_signer_sign(signer, keys, 32, (const uint8_t *)bsm, strlen(bsm), now + 100000, NULL,
                           spdu, sizeof spdu, &spdu_len));
    s = scms_verifier_verify(verifier, spdu, spdu_len, now + 100000, &psid, payload,
                             sizeof payload, &payload_len);
    report("digest-signed message", s);
    if (s != SCMS_STATUS_OK) failures++;

    /* Too old for the receiver. */
    s = scms_verifier_verify(verifier, spdu, spdu_len, now + 60000000ULL, &psid, payload,
                             sizeof payload, &payload_len);
    report("stale message", s);
    if (s != SCMS_STATUS_TOO_OLD) failures++;

    /* A receiver that has not seen the certificate asks for it by P2PCD. */
    ScmsVerifier *fresh = NULL;
    CHECK(scms_verifier_new(&fresh));
    CHECK(scms_verifier_add_trust_anchor(fresh, root, root_len));
    s = scms_verifier_verify(fresh, spdu, spdu_len, now + 100000, &psid, payload, sizeof payload,
                             &payload_len);
    report("unknown signer", s);
    uint8_t p2pcd[3];
    bool found = false;
    CHECK(scms_verifier_unknown_signer(fresh, p2pcd, &found));
    if (s != SCMS_STATUS_UNKNOWN_SIGNER || !found) {
        failures++;
    } else {
        printf("  P2PCD request for %02x%02x%02x\n", p2pcd[0], p2pcd[1], p2pcd[2]);
    }
    scms_verifier_free(fresh);

    /* A stream through the batch verifier: one verdict per message, in order. */
    const uint8_t *stream[2] = {spdu, tampered};
    size_t lens[2] = {spdu_len, tampered_len};
    ScmsStatus verdicts[2];
    CHECK(scms_verifier_verify_batch(verifier, stream, lens, 2, now + 100000, verdicts, NULL));
    report("batch: seen before", verdicts[0]);
    report("batch: tampered", verdicts[1]);
    if (verdicts[0] != SCMS_STATUS_REPLAY || verdicts[1] != SCMS_STATUS_BAD_SIGNATURE) failures++;

    /* NULL handles are errors, not crashes. */
    s = scms_verifier_verify(NULL, spdu, spdu_len, now, &psid, payload, sizeof payload,
                             &payload_len);
    report("NULL verifier", s);
    if (s != SCMS_STATUS_NULL_ARGUMENT) failures++;

    scms_verifier_free(verifier);
    scms_signer_free(signer);
    scms_keystore_free(keys);
    free(root);
    free(ica);
    free(aca);
    free(cert);
    free(key);
    printf("%s\n", failures == 0 ? "all verdicts as expected" : "UNEXPECTED VERDICTS");
    return failures == 0 ? 0 : 1;
}
