/*
 * enroll_provision.c: a device's lifecycle through the C ABI of the scms SDK,
 * sans-IO: the SDK builds and checks every message, this program only moves
 * their bytes. It enrolls with the ECA, asks the RA for pseudonyms (butterfly
 * keys), downloads and opens the batch, then signs a BSM with a downloaded
 * pseudonym and verifies it.
 *
 * Usage: enroll_provision DIR NOW_TIME32 NOW_US
 *   DIR holds root.oer, ica.oer, aca.oer, ra.oer (COER certificates) and
 *   tbs.oer (the COER ToBeSignedCertificate the device asks the ECA for).
 *   NOW_TIME32 / NOW_US: the current 1609.2 time in seconds / microseconds.
 *
 * Transport: the HTTP calls go through the parent process over stdin/stdout
 * (a real device would use its own HTTP client). A request is written to
 * stdout as one byte naming the call ('E' POST /v3/enrollment-certificate,
 * 'P' POST /v3/authorization-certificate, 'D' GET
 * /v3/authorization-certificate with the bytes as base64 in Download-Req),
 * a 4-byte big-endian length and the bytes; the answer comes on stdin as a
 * 2-byte big-endian HTTP status, a 4-byte big-endian length and the body.
 * Progress goes to stderr. Exits 0 when every step succeeded.
 *
 * Build: build.sh static enroll_provision (beside this file).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scms_sdk.h"

#define BIG (1u << 20)

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
    *data = malloc(n > 0 ? (size_t)n : 1);
    if (!*data || fread(*data, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        return -1;
    }
    *len = (size_t)n;
    fclose(f);
    return 0;
}

static void report(const char *what, ScmsStatus s) {
    char msg[512];
    size_t len = 0;
    if (scms_last_error(msg, sizeof msg, &len) != SCMS_STATUS_OK) {
        msg[0] = 0;
    }
    fprintf(stderr, "%-28s %s %s\n", what, scms_status_name(s), msg);
}

#define CHECK(what, call)                                            \
    do {                                                             \
        ScmsStatus s_ = (call);                                      \
        if (s_ != SCMS_STATUS_OK) {                                  \
            report(what, s_);                                        \
            return 1;                                                \
        }                                                            \
    } while (0)

/* One HTTP exchange through the parent: returns the status, the body in
 * `body` (capacity BIG) and its length in `*body_len`. */
static int exchange(char call, const uint8_t *req, size_t req_len, uint8_t *body,
                    size_t *body_len) {
    uint8_t head[5] = {(uint8_t)call, (uint8_t)(req_len >> 24), (uint8_t)(req_len >> 16),
                       (uint8_t)(req_len >> 8), (uint8_t)req_len};
    if (fwrite(head, 1, 5, stdout) != 5 || fwrite(req, 1, req_len, stdout) != req_len ||
        fflush(stdout) != 0) {
        return -1;
    }
    uint8_t answer[6];
    if (fread(answer, 1, 6, stdin) != 6) {
        return -1;
    }
    int status = (answer[0] << 8) | answer[1];
    size_t n = ((size_t)answer[2] << 24) | ((size_t)answer[3] << 16) | ((size_t)answer[4] << 8) |
               (size_t)answer[5];
    if (n > BIG || fread(body, 1, n, stdin) != n) {
        return -1;
    }
    *body_len = n;
    return status;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s DIR NOW_TIME32 NOW_US\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    uint32_t now = (uint32_t)strtoul(argv[2], NULL, 10);
    uint64_t now_us = strtoull(argv[3], NULL, 10);
    uint8_t *root, *ica, *aca, *ra, *tbs;
    size_t root_len, ica_len, aca_len, ra_len, tbs_len;
    if (read_file(dir, "root.oer", &root, &root_len) || read_file(dir, "ica.oer", &ica, &ica_len) ||
        read_file(dir, "aca.oer", &aca, &aca_len) || read_file(dir, "ra.oer", &ra, &ra_len) ||
        read_file(dir, "tbs.oer", &tbs, &tbs_len)) {
        return 2;
    }
    uint8_t *req = malloc(BIG), *body = malloc(BIG);
    size_t req_len = 0, body_len = 0;
    if (!req || !body) {
        return 2;
    }

    ScmsKeyStore *keys = NULL;
    ScmsVerifier *verifier = NULL;
    CHECK("keystore", scms_memory_keystore_new(&keys));
    CHECK("verifier", scms_verifier_new(&verifier));
    CHECK("trust anchor", scms_verifier_add_trust_anchor(verifier, root, root_len));

    /* Enrollment: a key made inside the key store, a self-signed request. */
    CHECK("enrollment key", scms_keystore_generate(keys, "enrollment"));
    uint8_t small[8];
    ScmsStatus s = scms_enroll_build_request(keys, "enrollment", tbs, tbs_len, now, small,
                                             sizeof small, &req_len);
    if (s != SCMS_STATUS_BUFFER_TOO_SMALL || req_len <= sizeof small) {
        report("small buffer", s);
        return 1;
    }
    CHECK("enrollment request",
          scms_enroll_build_request(keys, "enrollment", tbs, tbs_len, now, req, BIG, &req_len));
    int status = exchange('E', req, req_len, body, &body_len);
    if (status != 200) {
        fprintf(stderr, "ECA answered %d\n", status);
        return 1;
    }
    uint8_t enrollment[1024];
    size_t enrollment_len = 0;
    /* The answer to the request it names, checked up to the trust anchor. */
    uint8_t other[16] = {0};
    s = scms_enroll_process_response(verifier, keys, "enrollment", other, sizeof other, body,
                                     body_len, enrollment, sizeof enrollment, &enrollment_len);
    report("answer to another request", s);
    if (s != SCMS_STATUS_NOT_OUR_REQUEST) {
        return 1;
    }
    CHECK("enrollment response",
          scms_enroll_process_response(verifier, keys, "enrollment", req, req_len, body, body_len,
                                       enrollment, sizeof enrollment, &enrollment_len));
    fprintf(stderr, "enrolled: certificate of %zu bytes\n", enrollment_len);

    /* Provisioning: butterfly request, ack, download, keys reconstructed. */
    ScmsProvisioning *prov = NULL;
    CHECK("butterfly keys", scms_provisioning_new(false, &prov));
    const uint64_t psids[] = {32, 38};
    CHECK("provisioning request",
          scms_provisioning_build_request(prov, keys, "enrollment", enrollment, enrollment_len, ra,
                                          ra_len, psids, 2, now, 168, now, req, BIG, &req_len));
    status = exchange('P', req, req_len, body, &body_len);
    if (status != 200) {
        fprintf(stderr, "RA answered %d: %.*s\n", status, (int)body_len, (const char *)body);
        return 1;
    }
    uint32_t first_i = 0, next_dl = 0;
    CHECK("ack", scms_provisioning_process_ack(prov, body, body_len, ra, ra_len, &first_i,
                                               &next_dl));
    fprintf(stderr, "ack: first i-period %u\n", first_i);
    CHECK("download request",
          scms_provisioning_download_request(prov, keys, "enrollment", enrollment, enrollment_len,
                                             ra, ra_len, first_i, now, req, BIG, &req_len));
    status = exchange('D', req, req_len, body, &body_len);
    if (status != 200) {
        fprintf(stderr, "download answered %d\n", status);
        return 1;
    }
    /* A truncated archive is refused as a whole. */
    size_t count = 0;
    s = scms_provisioning_process_download(prov, keys, body, body_len / 2, aca, aca_len, first_i,
                                           "pseudonym-", &count);
    report("truncated download", s);
    if (s == SCMS_STATUS_OK) {
        return 1;
    }
    CHECK("download", scms_provisioning_process_download(prov, keys, body, body_len, aca, aca_len,
                                                         first_i, "pseudonym-", &count));
    fprintf(stderr, "provisioned %zu pseudonyms\n", count);
    if (count == 0) {
        return 1;
    }

    /* Sign with the first pseudonym valid now; a neighbour verifies. */
    uint8_t cert[1024];
    size_t cert_len = 0;
    uint32_t pi = 0, pj = 0;
    CHECK("pseudonym", scms_provisioning_pseudonym(prov, 0, &pi, &pj, cert, sizeof cert,
                                                   &cert_len));
    s = scms_provisioning_pseudonym(prov, count, &pi, &pj, cert, sizeof cert, &cert_len);
    if (s != SCMS_STATUS_INVALID_ARGUMENT) {
        report("index out of range", s);
        return 1;
    }
    CHECK("pseudonym", scms_provisioning_pseudonym(prov, 0, &pi, &pj, cert, sizeof cert,
                                                   &cert_len));
    char label[64];
    snprintf(label, sizeof label, "pseudonym-%u_%u", pi, pj);
    ScmsSigner *signer = NULL;
    CHECK("signer", scms_signer_new(cert, cert_len, label, &signer));
    const char *bsm = "basic safety message from a provisioned C device";
    uint8_t spdu[2048];
    size_t spdu_len = 0;
    CHECK("sign", scms_signer_sign(signer, keys, 32, (const uint8_t *)bsm, strlen(bsm), now_us,
                                   NULL, spdu, sizeof spdu, &spdu_len));
    ScmsVerifier *neighbour = NULL;
    CHECK("neighbour", scms_verifier_new(&neighbour));
    CHECK("neighbour anchor", scms_verifier_add_trust_anchor(neighbour, root, root_len));
    CHECK("neighbour ica", scms_verifier_add_certificate(neighbour, ica, ica_len));
    CHECK("neighbour aca", scms_verifier_add_certificate(neighbour, aca, aca_len));
    uint64_t psid = 0;
    uint8_t payload[2048];
    size_t payload_len = 0;
    CHECK("verify", scms_verifier_verify(neighbour, spdu, spdu_len, now_us, &psid, payload,
                                         sizeof payload, &payload_len));
    if (psid != 32 || payload_len != strlen(bsm) || memcmp(payload, bsm, payload_len) != 0) {
        fprintf(stderr, "wrong payload\n");
        return 1;
    }
    fprintf(stderr, "signed with pseudonym (%u, %u) and verified: psid %llu\n", pi, pj,
            (unsigned long long)psid);

    scms_provisioning_free(prov);
    scms_signer_free(signer);
    scms_verifier_free(neighbour);
    scms_verifier_free(verifier);
    scms_keystore_free(keys);
    free(req);
    free(body);
    free(root);
    free(ica);
    free(aca);
    free(ra);
    free(tbs);
    fprintf(stderr, "lifecycle complete\n");
    return 0;
}
