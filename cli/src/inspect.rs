//! `scms inspect FILE|-`: decode COER (binary or hex), detect the type, print the
//! structure as text or JSON, and optionally check the signature.
//!
//! Bad input never panics: it ends with exit code 2 and one line that names the
//! field and the byte offset. A signature that does not verify exits with 1.

use clap::Args;
use scms_asn1::codec::{DecodeError, Value};
use scms_asn1::ieee1609dot2::{Certificate, Ieee1609Dot2Data, SignerIdentifier};
use scms_asn1::pdu::{self, PduType};
use scms_crypto::verify::{self, certificate_hashed_id8};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

/// Input larger than this is refused (no COER PDU of this SCMS comes close).
const MAX_INPUT: u64 = 16 << 20;

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// File to read, or `-` for standard input. Binary COER or hex text.
    pub input: String,
    /// Decode as this type (ASN.1 name, e.g. Certificate, Ieee1609Dot2Data, ScmsPdu)
    /// instead of detecting it.
    #[arg(long = "type", value_name = "NAME")]
    pub type_name: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Check the signature: of a certificate (by `--issuer`, or self-signed), or of
    /// signed data (by the certificate it carries, or `--issuer` as its signer).
    #[arg(long)]
    pub verify: bool,
    /// Issuer certificate (for a certificate) or signer certificate (for signed data).
    #[arg(long, value_name = "FILE")]
    pub issuer: Option<PathBuf>,
}

/// A failure that ends the command: exit code and one line.
struct Fail(u8, String);

fn read_input(path: &str) -> Result<Vec<u8>, Fail> {
    let mut raw = Vec::new();
    let res = if path == "-" {
        std::io::stdin().take(MAX_INPUT + 1).read_to_end(&mut raw)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_INPUT + 1).read_to_end(&mut raw))
    };
    res.map_err(|e| Fail(2, format!("cannot read {path}: {e}")))?;
    if raw.len() as u64 > MAX_INPUT {
        return Err(Fail(2, format!("{path}: larger than {MAX_INPUT} bytes")));
    }
    Ok(from_hex_if_text(raw))
}

/// Hex text (optionally with whitespace and a `0x` prefix) becomes bytes; anything
/// else is taken as binary.
fn from_hex_if_text(raw: Vec<u8>) -> Vec<u8> {
    let text: Vec<u8> = raw
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let text = text.strip_prefix(b"0x").unwrap_or(&text);
    if text.is_empty() || !text.len().is_multiple_of(2) || !text.iter().all(u8::is_ascii_hexdigit) {
        return raw;
    }
    let nib = |c: u8| match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    };
    text.chunks(2)
        .map(|p| (nib(p[0]) << 4) | nib(p[1]))
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn decode_error(ty: &str, e: &DecodeError) -> Fail {
    let path = e.path();
    let field = if path.is_empty() {
        String::new()
    } else {
        format!(" in field {path}")
    };
    Fail(
        2,
        format!(
            "cannot decode as {ty}: {} at byte {}{field}",
            e.kind, e.offset
        ),
    )
}

/// Facts worth a line of their own, and the signature check.
struct Summary {
    facts: Vec<(&'static str, String)>,
    verified: Option<Result<String, String>>,
}

fn certificate_summary(bytes: &[u8], args: &InspectArgs, issuer: Option<&[u8]>) -> Summary {
    let mut facts = Vec::new();
    let mut verified = None;
    if let Ok(cert) = scms_asn1::decode::<Certificate>(bytes) {
        if let Ok(id) = certificate_hashed_id8(&cert) {
            facts.push(("hashedId8", hex(&id.0)));
        }
        let kind = if cert.is_implicit() {
            "implicit"
        } else {
            "explicit"
        };
        facts.push(("certificateType", kind.to_string()));
        match verify::issuer_digest(&cert) {
            Some(d) => facts.push(("issuer", hex(&d))),
            None => facts.push(("issuer", "self".to_string())),
        }
        if args.verify {
            let issuer_cert = issuer.map(scms_asn1::decode::<Certificate>);
            verified = Some(match issuer_cert {
                Some(Err(e)) => Err(format!("issuer certificate does not decode: {e}")),
                Some(Ok(i)) if cert.is_implicit() => {
                    verify::certificate_public_key(&cert, Some(&i))
                        .map(|k| {
                            format!(
                                "implicit: public key reconstructed {}",
                                hex(&k.to_sec1(true))
                            )
                        })
                        .map_err(|e| e.to_string())
                }
                Some(Ok(i)) => verify::verify_certificate(&cert, Some(&i))
                    .map(|_| "signature valid (by the issuer)".to_string())
                    .map_err(|e| e.to_string()),
                None => verify::verify_certificate(&cert, None)
                    .map(|_| "signature valid (self-signed)".to_string())
                    .map_err(|e| e.to_string()),
            });
        }
    }
    Summary { facts, verified }
}

fn data_summary(bytes: &[u8], args: &InspectArgs, signer_file: Option<&[u8]>) -> Summary {
    let mut facts = Vec::new();
    let mut verified = None;
    let Ok(data) = scms_asn1::decode::<Ieee1609Dot2Data>(bytes) else {
        return Summary { facts, verified };
    };
    let Some(sd) = data.signed_data() else {
        facts.push(("content", "not signed".to_string()));
        if args.verify {
            verified = Some(Err("not signed data".to_string()));
        }
        return Summary { facts, verified };
    };
    facts.push(("psid", sd.tbs_data.header_info.psid.0.to_string()));
    let signer = match &sd.signer {
        SignerIdentifier::Digest(d) => format!("digest {}", hex(d)),
        SignerIdentifier::Certificate(chain) => match chain.first().map(certificate_hashed_id8) {
            Some(Ok(id)) => format!("certificate {}", hex(&id.0)),
            _ => "certificate".to_string(),
        },
        SignerIdentifier::SelfSigned => "self".to_string(),
        SignerIdentifier::Unknown(u) => format!("unknown alternative {}", u.tag),
    };
    facts.push(("signer", signer));
    if args.verify {
        let given = signer_file.map(scms_asn1::decode::<Certificate>);
        verified = Some(match given {
            Some(Err(e)) => Err(format!("signer certificate does not decode: {e}")),
            Some(Ok(c)) => {
                let known = [c];
                match verify::find_signer(sd, &known) {
                    Some(s) => verify::verify_signed_data(sd, s, None)
                        .map(|_| "signature valid".to_string())
                        .map_err(|e| e.to_string()),
                    None => Err("the given certificate is not the signer".to_string()),
                }
            }
            None => match verify::find_signer(sd, &[]) {
                Some(s) => verify::verify_signed_data(sd, s, None)
                    .map(|_| "signature valid (by the included certificate)".to_string())
                    .map_err(|e| e.to_string()),
                None => Err("signer is a digest: give its certificate with --issuer".to_string()),
            },
        });
    }
    Summary { facts, verified }
}

fn inspect(args: &InspectArgs) -> Result<String, Fail> {
    let bytes = read_input(&args.input)?;
    let issuer = match &args.issuer {
        Some(p) => Some(read_input(&p.to_string_lossy())?),
        None => None,
    };
    let (ty, value): (&PduType, Value) = match &args.type_name {
        Some(name) => {
            let ty = pdu::find(name).ok_or_else(|| {
                let names: Vec<&str> = pdu::PDU_TYPES.iter().map(|t| t.name).collect();
                Fail(
                    2,
                    format!("unknown type {name}; known: {}", names.join(", ")),
                )
            })?;
            let v = (ty.describe)(&bytes).map_err(|e| decode_error(ty.name, &e))?;
            (ty, v)
        }
        None => pdu::detect(&bytes).map_err(|(name, e)| {
            if name.is_empty() {
                Fail(2, "empty input".to_string())
            } else {
                decode_error(name, &e)
            }
        })?,
    };
    let summary = match ty.name {
        "Certificate" => certificate_summary(&bytes, args, issuer.as_deref()),
        "Ieee1609Dot2Data" | "SecuredCrl" => data_summary(&bytes, args, issuer.as_deref()),
        _ => Summary {
            facts: Vec::new(),
            verified: args.verify.then(|| Err("nothing to verify".into())),
        },
    };

    let out = if args.json {
        let mut o = format!(
            "{{\"type\":{},\"length\":{}",
            json_str(ty.name),
            bytes.len()
        );
        for (k, v) in &summary.facts {
            o.push_str(&format!(",{}:{}", json_str(k), json_str(v)));
        }
        if let Some(res) = &summary.verified {
            let (ok, msg) = match res {
                Ok(m) => (true, m),
                Err(m) => (false, m),
            };
            o.push_str(&format!(
                ",\"verification\":{{\"valid\":{ok},\"detail\":{}}}",
                json_str(msg)
            ));
        }
        o.push_str(&format!(",\"value\":{}}}", value.to_json()));
        o
    } else {
        let mut o = format!("type: {} ({} bytes)\n", ty.name, bytes.len());
        for (k, v) in &summary.facts {
            o.push_str(&format!("{k}: {v}\n"));
        }
        if let Some(res) = &summary.verified {
            match res {
                Ok(m) => o.push_str(&format!("verification: {m}\n")),
                Err(m) => o.push_str(&format!("verification: FAILED: {m}\n")),
            }
        }
        o.push_str(&value.to_text());
        o
    };
    match summary.verified {
        Some(Err(m)) => {
            print_out(&out);
            Err(Fail(1, format!("signature check failed: {m}")))
        }
        _ => Ok(out),
    }
}

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// Prints to stdout; a closed pipe (`scms inspect f | head`) is not an error.
fn print_out(out: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{out}");
}

pub fn run(args: InspectArgs) -> ExitCode {
    match inspect(&args) {
        Ok(out) => {
            print_out(&out);
            ExitCode::SUCCESS
        }
        Err(Fail(code, line)) => {
            eprintln!("error: {line}");
            ExitCode::from(code)
        }
    }
}
