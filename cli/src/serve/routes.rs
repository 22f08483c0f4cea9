//! The route table of every role: the one source of `/openapi.json` and the
//! `/docs` page (a test checks that each documented route is served).

use super::config::Role;

/// One endpoint.
#[derive(Clone, Copy, Debug)]
pub struct RouteDoc {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    /// Request body or header, `""` for none.
    pub request: &'static str,
    /// The success status, what it carries and its content type.
    pub response: (u16, &'static str, &'static str),
    /// Error statuses and their meaning.
    pub errors: &'static [(u16, &'static str)],
}

const OCTETS: &str = "application/octet-stream";
const TEXT: &str = "text/plain";

const COMMON_ERRORS: &[(u16, &str)] = &[
    (408, "the request was not answered within the timeout"),
    (413, "the body is over the limit"),
    (
        503,
        "the database is unreachable, with the reason: send the same request again",
    ),
];

/// The endpoints of the service layer, on every role.
pub const COMMON: &[RouteDoc] = &[
    RouteDoc {
        method: "GET",
        path: "/healthz",
        summary: "Liveness: the process answers.",
        request: "",
        response: (200, "ok", TEXT),
        errors: &[],
    },
    RouteDoc {
        method: "GET",
        path: "/readyz",
        summary: "Readiness: the database answers and the role is set up (the ACA holds both LA keys).",
        request: "",
        response: (200, "ready", TEXT),
        errors: &[(503, "not ready, with the reason")],
    },
    RouteDoc {
        method: "GET",
        path: "/metrics",
        summary: "Prometheus metrics: requests by route and status, latency histograms, certificates issued, queue depths.",
        request: "",
        response: (200, "Prometheus text format 0.0.4", "text/plain; version=0.0.4"),
        errors: &[],
    },
    RouteDoc {
        method: "GET",
        path: "/openapi.json",
        summary: "This interface as OpenAPI 3.0.",
        request: "",
        response: (200, "OpenAPI document", "application/json"),
        errors: &[],
    },
    RouteDoc {
        method: "GET",
        path: "/docs",
        summary: "This interface as a page.",
        request: "",
        response: (200, "HTML", "text/html"),
        errors: &[],
    },
];

const ROOT: &[RouteDoc] = &[
    RouteDoc {
        method: "GET",
        path: "/v3/ctl",
        summary: "The latest certificate trust list (electors' multi-signed CTL).",
        request: "",
        response: (200, "MultiSignedCtlSpdu (COER)", OCTETS),
        errors: &[(503, "no CTL in the database")],
    },
    RouteDoc {
        method: "GET",
        path: "/v3/root-ca-certificate",
        summary: "The root CA certificate.",
        request: "",
        response: (200, "Certificate (COER)", OCTETS),
        errors: &[],
    },
];

const ECA: &[RouteDoc] = &[
    RouteDoc {
        method: "POST",
        path: "/v3/enrollment-certificate",
        summary: "Enroll a device (1609.2.1 EE-ECA).",
        request: "EeEcaCertRequestSpdu (COER)",
        response: (200, "EcaEeCertResponseSpdu (COER)", OCTETS),
        errors: &[
            (
                400,
                "malformed, bad signature or over the enrollment profile",
            ),
            (503, "no hierarchy"),
        ],
    },
    RouteDoc {
        method: "POST",
        path: "/v3/successor-enrollment-certificate",
        summary: "Successor enrollment (1609.2.1): a new key's certificate, asked with the current enrollment certificate; the request is encrypted to the RA's certificate.",
        request: "EeRaSuccessorEnrollmentCertRequestSpdu (COER)",
        response: (200, "RaEeEnrollmentCertAckSpdu (COER)", OCTETS),
        errors: &[
            (
                400,
                "malformed, not from a current enrollment certificate of this ECA, or over its certRequestPermissions",
            ),
            (503, "no successor front (the RA's keys are not in this key store)"),
        ],
    },
    RouteDoc {
        method: "GET",
        path: "/v3/successor-enrollment-certificate",
        summary: "Download the successor enrollment certificate.",
        request: "header Download-Req: base64 EeRaDownloadRequestSpdu",
        response: (200, "EcaEeCertResponseSpdu (COER)", OCTETS),
        errors: &[
            (400, "malformed"),
            (404, "no such file for this device"),
            (503, "no successor front"),
        ],
    },
    RouteDoc {
        method: "GET",
        path: "/v3/ca-certificate",
        summary: "The ECA's chain and the home CTL (bootstrap).",
        request: "",
        response: (200, "CertificateChainSpdu (COER)", OCTETS),
        errors: &[],
    },
    RouteDoc {
        method: "GET",
        path: "/v3/ctl",
        summary: "The latest CTL.",
        request: "",
        response: (200, "MultiSignedCtlSpdu (COER)", OCTETS),
        errors: &[],
    },
];

const MA_ONLY: (u16, &str) = (403, "the signer is not an MA chaining to the trust store");

const ACA: &[RouteDoc] = &[
    RouteDoc {
        method: "POST",
        path: "/v3/ra-aca-cert-request",
        summary: "Issue one pseudonym certificate for the RA, encrypted to the device.",
        request: "RaAcaCertRequestSpdu (COER, signed by the RA)",
        response: (200, "AcaRaCertResponseSpdu (COER)", OCTETS),
        errors: &[
            (400, "malformed or unsupported"),
            (403, "the RA does not verify"),
            (503, "not ready: the LAs' keys are not held yet"),
        ],
    },
    RouteDoc {
        method: "POST",
        path: "/v3/ma-hpcr",
        summary: "Investigation: the HPCR and RA of each linkage value (MA only).",
        request: "SignedMaPcaHPCRRequest (COER)",
        response: (200, "SignedPcaMaHPCRResponse (COER)", OCTETS),
        errors: &[(400, "malformed"), MA_ONLY],
    },
];

const RA: &[RouteDoc] = &[
    RouteDoc {
        method: "POST",
        path: "/v3/authorization-certificate",
        summary: "Request pseudonym certificates (butterfly keys).",
        request: "EeRaCertRequestSpdu (COER)",
        response: (200, "RaEeCertAckSpdu (COER)", OCTETS),
        errors: &[
            (400, "malformed, bad time or unsupported"),
            (403, "unauthorized or blocklisted"),
            (409, "the i-periods are already provisioned"),
            (429, "rate limited (Retry-After)"),
        ],
    },
    RouteDoc {
        method: "GET",
        path: "/v3/authorization-certificate",
        summary: "Download the certificates of one i-period.",
        request: "header Download-Req: base64 EeRaDownloadRequestSpdu",
        response: (200, "ZIP of encrypted certificates", "application/zip"),
        errors: &[
            (400, "malformed"),
            (404, "no such request"),
            (503, "not ready yet (Retry-After)"),
        ],
    },
    RouteDoc {
        method: "GET",
        path: "/v3/ra-certificate",
        summary: "The RA certificate.",
        request: "",
        response: (200, "Certificate (COER)", OCTETS),
        errors: &[],
    },
    RouteDoc {
        method: "POST",
        path: "/v3/ma-lci",
        summary: "Investigation: the linkage chain identifiers behind each HPCR (MA only).",
        request: "SignedLCIRequest (COER)",
        response: (200, "SignedLCIResponse (COER)", OCTETS),
        errors: &[(400, "malformed"), MA_ONLY],
    },
    RouteDoc {
        method: "POST",
        path: "/v3/ma-blacklist",
        summary: "Revocation: blocklist the enrollment certificate behind each HPCR (MA only).",
        request: "SignedBlacklistRequest (COER)",
        response: (200, "SignedBlacklistResponse (COER)", OCTETS),
        errors: &[(400, "malformed"), MA_ONLY],
    },
];

const LA: &[RouteDoc] = &[
    RouteDoc {
        method: "POST",
        path: "/v1/pre-linkage-values",
        summary: "Pre-linkage values for the RA, each encrypted to the ACA.",
        request: "SignedRaLaIndividualPreLinkageValueRequest (COER, CAMP; signed by the RA)",
        response: (200, "PLV response", OCTETS),
        errors: &[
            (400, "malformed"),
            (
                403,
                "the signer is not an RA chaining to the trust store, or the request is stale",
            ),
        ],
    },
    RouteDoc {
        method: "POST",
        path: "/v3/linkage-seed",
        summary: "Investigation: the linkage seed of a chain for the current i-period (MA only).",
        request:
            "SecuredLSRequest (COER): the MA's SignedLSRequest, encrypted to this LA's certificate",
        response: (
            200,
            "SecuredLSReply (COER): the LA's SignedLSReply, encrypted to the MA's certificate",
            OCTETS,
        ),
        errors: &[
            (400, "malformed, or not encrypted"),
            (
                403,
                "encrypted to another key, or the signer is not an MA chaining to the trust store",
            ),
            (503, "this LA's certificate has no encryption key"),
        ],
    },
    RouteDoc {
        method: "GET",
        path: "/v1/aca-key",
        summary: "The key this LA shares with the ACA, encrypted to the ACA certificate.",
        request: "",
        response: (200, "Ieee1609Dot2Data (COER)", OCTETS),
        errors: &[],
    },
];

const MA: &[RouteDoc] = &[
    RouteDoc {
        method: "GET",
        path: "/v3/ma-certificate",
        summary: "The MA certificate (reports are encrypted to it); `?psid=<hex>` answers 404 for a PSID this MA does not handle.",
        request: "",
        response: (200, "Certificate (COER)", OCTETS),
        errors: &[(400, "psid is not hex"), (404, "PSID not handled")],
    },
    RouteDoc {
        method: "POST",
        path: "/v3/misbehavior-report",
        summary: "A device's misbehavior report: evidence SPDUs, signed by its pseudonym, encrypted to the MA.",
        request: "SecuredMisbehaviorReport (COER)",
        response: (202, "report accepted", TEXT),
        errors: &[
            (400, "malformed"),
            (403, "reporter not valid or revoked"),
            (422, "evidence does not verify"),
            (502, "a peer failed during the investigation"),
        ],
    },
];

const CRL: &[RouteDoc] = &[
    RouteDoc {
        method: "GET",
        path: "/v3/crl",
        summary: "The latest CRL; `?series=N` (default: the linkage-based pseudonym series).",
        request: "",
        response: (200, "SecuredCrl (COER)", OCTETS),
        errors: &[(404, "no CRL issued yet")],
    },
    RouteDoc {
        method: "POST",
        path: "/v3/crl-entries",
        summary: "Revocation entries from the MA: a new CRL is issued.",
        request: "signed CrlContents entries (COER)",
        response: (200, "the new SecuredCrl (COER)", OCTETS),
        errors: &[(400, "malformed"), MA_ONLY],
    },
];

/// The `/v3/` and `/v1/` endpoints of a role.
pub fn role_routes(role: Role) -> &'static [RouteDoc] {
    match role {
        Role::Root => ROOT,
        Role::Eca => ECA,
        Role::Aca => ACA,
        Role::Ra => RA,
        Role::La1 | Role::La2 => LA,
        Role::Ma => MA,
        Role::Crl => CRL,
    }
}

fn title(role: Role) -> String {
    let name = match role {
        Role::Root => "Root CA",
        Role::Eca => "Enrollment CA",
        Role::Aca => "Authorization CA",
        Role::Ra => "Registration Authority",
        Role::La1 => "Linkage Authority 1",
        Role::La2 => "Linkage Authority 2",
        Role::Ma => "Misbehavior Authority",
        Role::Crl => "CRL signer",
    };
    format!("scms {} ({})", name, role.as_str())
}

fn all(role: Role) -> impl Iterator<Item = &'static RouteDoc> {
    role_routes(role).iter().chain(COMMON.iter())
}

/// The OpenAPI 3.0 document of a role.
pub fn openapi(role: Role) -> String {
    use serde_json::{json, Map, Value};
    let mut paths = Map::new();
    for r in all(role) {
        let mut responses = Map::new();
        responses.insert(
            r.response.0.to_string(),
            json!({"description": r.response.1, "content": {r.response.2: {}}}),
        );
        let errors = r.errors.iter().chain(if r.path.starts_with("/v") {
            COMMON_ERRORS.iter()
        } else {
            [].iter()
        });
        for (code, why) in errors {
            // A route's own meaning of a status comes first.
            responses
                .entry(code.to_string())
                .or_insert_with(|| json!({"description": why, "content": {TEXT: {}}}));
        }
        let mut op = json!({
            "summary": r.summary,
            "operationId": format!("{}{}", r.method.to_ascii_lowercase(), r.path.replace(['/', '-', '.'], "_")),
            "responses": Value::Object(responses),
        });
        if r.request.starts_with("header ") {
            let name = r
                .request
                .trim_start_matches("header ")
                .split(':')
                .next()
                .unwrap_or("");
            op["parameters"] = json!([{"name": name, "in": "header", "required": true,
                "description": r.request, "schema": {"type": "string"}}]);
        } else if !r.request.is_empty() {
            op["requestBody"] = json!({"required": true, "description": r.request,
                "content": {OCTETS: {"schema": {"type": "string", "format": "binary"}}}});
        }
        let entry = paths
            .entry(r.path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            m.insert(r.method.to_ascii_lowercase(), op);
        }
    }
    let doc = json!({
        "openapi": "3.0.3",
        "info": {"title": title(role), "version": env!("CARGO_PKG_VERSION")},
        "paths": Value::Object(paths),
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The `/docs` page of a role: static HTML from the same table.
pub fn docs_html(role: Role) -> String {
    let t = html_escape(&title(role));
    let mut h = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}\
         table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #ccc;padding:.3em;vertical-align:top}}\
         code{{background:#f4f4f4}}</style></head><body><h1>{t}</h1>\
         <p>Every body is COER unless stated. Errors are one line of text. \
         Machine-readable: <a href=\"/openapi.json\">/openapi.json</a>.</p>\
         <table><tr><th>method</th><th>path</th><th>what</th><th>request</th><th>answer</th><th>errors</th></tr>"
    );
    for r in all(role) {
        let errors: Vec<String> = r
            .errors
            .iter()
            .map(|(c, w)| format!("{c} {}", html_escape(w)))
            .collect();
        h.push_str(&format!(
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{} {} <code>{}</code></td><td>{}</td></tr>",
            r.method,
            html_escape(r.path),
            html_escape(r.summary),
            html_escape(r.request),
            r.response.0,
            html_escape(r.response.1),
            html_escape(r.response.2),
            errors.join("<br>")
        ));
    }
    h.push_str("</table><p>Every endpoint may also answer 408 (timeout), 413 (body over the limit) and 503 (database unreachable: send the same request again).</p></body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openapi_and_docs_list_every_route_of_every_role() {
        for role in Role::ALL {
            let doc: serde_json::Value = serde_json::from_str(&openapi(role)).expect("JSON");
            assert_eq!(doc["openapi"], "3.0.3");
            let html = docs_html(role);
            for r in all(role) {
                let op = &doc["paths"][r.path][r.method.to_ascii_lowercase()];
                assert_eq!(op["summary"], r.summary, "{role:?} {}", r.path);
                assert!(op["responses"][r.response.0.to_string()].is_object());
                assert!(html.contains(&format!("<code>{}</code>", r.path)));
            }
        }
        // The RA's download takes its request in a header, not a body.
        let ra: serde_json::Value = serde_json::from_str(&openapi(Role::Ra)).expect("JSON");
        let get = &ra["paths"]["/v3/authorization-certificate"]["get"];
        assert_eq!(get["parameters"][0]["name"], "Download-Req");
        assert!(get.get("requestBody").is_none());
        assert!(
            ra["paths"]["/v3/authorization-certificate"]["post"]["responses"]["413"].is_object()
        );
    }
}
