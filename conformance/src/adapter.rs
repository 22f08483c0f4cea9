//! The upper-tester protocol: JSON lines over stdio. The suite writes one
//! request object per line to the adapter's standard input and reads one
//! answer object per line from its standard output (see docs/conformance.md).
//! [`AdapterDevice`] is the suite's side; [`serve`] is the adapter's side
//! around any [`Device`] (the reference adapter serves [`crate::device::SdkDevice`]).

use crate::device::{Answer, Device, Location, SignRequest};
use scms_crypto::suite::{Curve, SecretKey};
use serde_json::{json, Map, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Version of the protocol (`hello` answers it).
pub const PROTOCOL_VERSION: u32 = 1;

fn curve_name(c: Curve) -> &'static str {
    match c {
        Curve::NistP256 => "p256",
        Curve::Sm2 => "sm2",
        Curve::BrainpoolP256r1 => "brainpoolp256r1",
        Curve::NistP384 => "p384",
        Curve::BrainpoolP384r1 => "brainpoolp384r1",
    }
}

fn curve_of(name: &str) -> Option<Curve> {
    Some(match name {
        "p256" => Curve::NistP256,
        "sm2" => Curve::Sm2,
        "brainpoolp256r1" => Curve::BrainpoolP256r1,
        "p384" => Curve::NistP384,
        "brainpoolp384r1" => Curve::BrainpoolP384r1,
        _ => return None,
    })
}

fn location_json(l: &Location) -> Value {
    json!({"latitude": l.latitude, "longitude": l.longitude, "elevation": l.elevation})
}

fn answer_of(v: &Value) -> Result<Answer, String> {
    let accepted = v
        .get("accepted")
        .and_then(Value::as_bool)
        .ok_or("answer without \"accepted\"")?;
    let hex_field = |k: &str| -> Result<Option<Vec<u8>>, String> {
        match v.get(k).and_then(Value::as_str) {
            Some(h) => hex::decode(h).map(Some).map_err(|e| format!("{k}: {e}")),
            None => Ok(None),
        }
    };
    let p2pcd = match hex_field("p2pcd")? {
        Some(b) => Some(<[u8; 3]>::try_from(b.as_slice()).map_err(|_| "p2pcd: not 3 bytes")?),
        None => None,
    };
    Ok(Answer {
        accepted,
        reason: v
            .get("reason")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        p2pcd,
        psid: v.get("psid").and_then(Value::as_u64),
        payload: hex_field("payload")?,
        ssp: hex_field("ssp")?,
    })
}

fn answer_json(a: &Answer) -> Value {
    let mut m = Map::new();
    m.insert("ok".into(), json!(true));
    m.insert("accepted".into(), json!(a.accepted));
    m.insert("reason".into(), json!(a.reason));
    if let Some(p) = a.p2pcd {
        m.insert("p2pcd".into(), json!(hex::encode(p)));
    }
    if let Some(p) = a.psid {
        m.insert("psid".into(), json!(p));
    }
    if let Some(p) = &a.payload {
        m.insert("payload".into(), json!(hex::encode(p)));
    }
    if let Some(p) = &a.ssp {
        m.insert("ssp".into(), json!(hex::encode(p)));
    }
    Value::Object(m)
}

/// How long the suite waits for one answer of an adapter.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// A device under test driven through an adapter process. An adapter that
/// does not answer within [`ANSWER_TIMEOUT`] or closes its output is dead:
/// every later call fails at once (those test purposes are inconclusive).
pub struct AdapterDevice {
    child: Child,
    stdin: ChildStdin,
    /// Answer lines, read by a thread (so a silent adapter cannot hang the suite).
    lines: Receiver<String>,
    dead: Option<String>,
}

impl AdapterDevice {
    /// Starts `sh -c CMD` and checks its `hello`.
    pub fn spawn(cmd: &str) -> Result<Self, String> {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("adapter {cmd:?}: {e}"))?;
        let stdin = child.stdin.take().ok_or("adapter stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("adapter stdout")?);
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in stdout.lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut d = Self {
            child,
            stdin,
            lines,
            dead: None,
        };
        let hello = d.call(json!({"op": "hello"}))?;
        match hello.get("protocol").and_then(Value::as_u64) {
            Some(v) if v == u64::from(PROTOCOL_VERSION) => Ok(d),
            other => Err(format!(
                "adapter speaks protocol {other:?}, the suite {PROTOCOL_VERSION}"
            )),
        }
    }

    /// One request, one answer; `{"ok": false, "error": E}` becomes `Err(E)`.
    fn call(&mut self, req: Value) -> Result<Value, String> {
        if let Some(why) = &self.dead {
            return Err(format!("the adapter is dead: {why}"));
        }
        let line = format!("{req}\n");
        if let Err(e) = self
            .stdin
            .write_all(line.as_bytes())
            .and_then(|_| self.stdin.flush())
        {
            return Err(self.die(format!("adapter write: {e}")));
        }
        let answer = match self.lines.recv_timeout(ANSWER_TIMEOUT) {
            Ok(a) => a,
            Err(RecvTimeoutError::Timeout) => {
                return Err(self.die(format!("no answer within {} s", ANSWER_TIMEOUT.as_secs())))
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(self.die("the adapter closed its output".into()))
            }
        };
        let v: Value =
            serde_json::from_str(answer.trim()).map_err(|e| format!("adapter answer: {e}"))?;
        if v.get("ok").and_then(Value::as_bool) == Some(true) {
            Ok(v)
        } else {
            Err(v
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("adapter error without a reason")
                .to_string())
        }
    }
}

impl AdapterDevice {
    fn die(&mut self, why: String) -> String {
        self.dead = Some(why.clone());
        why
    }
}

impl Drop for AdapterDevice {
    fn drop(&mut self) {
        if self.dead.is_none() {
            let _ = self.call(json!({"op": "quit"}));
        }
        // Give it a moment to exit, then end it.
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn hexes(v: &[Vec<u8>]) -> Vec<String> {
    v.iter().map(hex::encode).collect()
}

impl Device for AdapterDevice {
    fn reset(&mut self, anchors: &[Vec<u8>], certificates: &[Vec<u8>]) -> Result<usize, String> {
        let v = self.call(json!({"op": "reset", "trust_anchors": hexes(anchors),
            "certificates": hexes(certificates)}))?;
        Ok(v.get("kept").and_then(Value::as_u64).unwrap_or(0) as usize)
    }

    fn load_identity(&mut self, certificate: &[u8], key: &SecretKey) -> Result<(), String> {
        self.call(
            json!({"op": "load_identity", "certificate": hex::encode(certificate),
            "private_key": hex::encode(&*key.to_be_bytes()), "curve": curve_name(key.curve())}),
        )?;
        Ok(())
    }

    fn sign(&mut self, r: &SignRequest) -> Result<Vec<u8>, String> {
        let mut req = json!({"op": "sign", "psid": r.psid, "payload": hex::encode(&r.payload),
            "generation_time": r.generation_time});
        if let Some(l) = &r.location {
            req["location"] = location_json(l);
        }
        if let Some(e) = r.expiry_time {
            req["expiry_time"] = json!(e);
        }
        if let Some(p) = r.p2pcd_learning_request {
            req["p2pcd_learning_request"] = json!(hex::encode(p));
        }
        let v = self.call(req)?;
        hex_of(&v, "spdu")
    }

    fn p2pcd_request(&mut self, hashed_id3: [u8; 3]) -> Result<(), String> {
        self.call(json!({"op": "p2pcd_request", "hashed_id3": hex::encode(hashed_id3)}))?;
        Ok(())
    }

    fn verify(&mut self, spdu: &[u8], now: u64) -> Result<Answer, String> {
        answer_of(&self.call(json!({"op": "verify", "spdu": hex::encode(spdu), "now": now}))?)
    }

    fn apply_crl(&mut self, crl: &[u8], now: u64, current_i: u16) -> Result<Answer, String> {
        answer_of(&self.call(
            json!({"op": "apply_crl", "crl": hex::encode(crl), "now": now, "current_i": current_i}),
        )?)
    }

    fn report(
        &mut self,
        evidence: &[Vec<u8>],
        ma_certificate: &[u8],
        now: u64,
    ) -> Result<Vec<u8>, String> {
        let v = self.call(json!({"op": "report", "evidence": hexes(evidence),
            "ma_certificate": hex::encode(ma_certificate), "now": now}))?;
        hex_of(&v, "report")
    }
}

fn hex_of(v: &Value, k: &str) -> Result<Vec<u8>, String> {
    let h = v
        .get(k)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("answer without \"{k}\""))?;
    hex::decode(h).map_err(|e| format!("{k}: {e}"))
}

fn req_hex(v: &Value, k: &str) -> Result<Vec<u8>, String> {
    hex_of(v, k)
}

fn req_hex_list(v: &Value, k: &str) -> Result<Vec<Vec<u8>>, String> {
    match v.get(k) {
        None => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .ok_or_else(|| format!("{k}: not a hex string"))
                    .and_then(|h| hex::decode(h).map_err(|e| format!("{k}: {e}")))
            })
            .collect(),
        Some(_) => Err(format!("{k}: not an array")),
    }
}

fn req_u64(v: &Value, k: &str) -> Result<u64, String> {
    v.get(k)
        .and_then(Value::as_u64)
        .ok_or_else(|| format!("\"{k}\": missing or not an unsigned integer"))
}

fn location_of(v: &Value) -> Result<Location, String> {
    let f = |k: &str| {
        v.get(k)
            .and_then(Value::as_f64)
            .ok_or_else(|| format!("location.{k}"))
    };
    Ok(Location {
        latitude: f("latitude")?,
        longitude: f("longitude")?,
        elevation: v.get("elevation").and_then(Value::as_u64).unwrap_or(0) as u16,
    })
}

fn id3(v: &Value, k: &str) -> Result<[u8; 3], String> {
    let b = req_hex(v, k)?;
    <[u8; 3]>::try_from(b.as_slice()).map_err(|_| format!("{k}: not 3 bytes"))
}

/// One request line handled by `device`: the answer line (never panics on bad input).
pub fn handle_line(device: &mut dyn Device, line: &str) -> (Value, bool) {
    let req: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => {
            return (
                json!({"ok": false, "error": format!("not JSON: {e}")}),
                false,
            )
        }
    };
    let op = req.get("op").and_then(Value::as_str).unwrap_or("");
    let r: Result<Value, String> = (|| match op {
        "hello" => Ok(json!({"ok": true, "protocol": PROTOCOL_VERSION,
            "implementation": concat!("scms-conformance-adapter ", env!("CARGO_PKG_VERSION"))})),
        "reset" => {
            let kept = device.reset(
                &req_hex_list(&req, "trust_anchors")?,
                &req_hex_list(&req, "certificates")?,
            )?;
            Ok(json!({"ok": true, "kept": kept}))
        }
        "load_identity" => {
            let curve = req
                .get("curve")
                .and_then(Value::as_str)
                .and_then(curve_of)
                .ok_or("curve: p256, sm2, brainpoolp256r1, p384 or brainpoolp384r1")?;
            let key = SecretKey::from_be_bytes(curve, &req_hex(&req, "private_key")?)
                .map_err(|e| format!("private_key: {e}"))?;
            device.load_identity(&req_hex(&req, "certificate")?, &key)?;
            Ok(json!({"ok": true}))
        }
        "sign" => {
            let r = SignRequest {
                psid: req_u64(&req, "psid")?,
                payload: req_hex(&req, "payload")?,
                generation_time: req_u64(&req, "generation_time")?,
                location: req.get("location").map(location_of).transpose()?,
                expiry_time: req.get("expiry_time").and_then(Value::as_u64),
                p2pcd_learning_request: match req.get("p2pcd_learning_request") {
                    Some(_) => Some(id3(&req, "p2pcd_learning_request")?),
                    None => None,
                },
            };
            let spdu = device.sign(&r)?;
            Ok(json!({"ok": true, "spdu": hex::encode(spdu)}))
        }
        "p2pcd_request" => {
            device.p2pcd_request(id3(&req, "hashed_id3")?)?;
            Ok(json!({"ok": true}))
        }
        "verify" => Ok(answer_json(
            &device.verify(&req_hex(&req, "spdu")?, req_u64(&req, "now")?)?,
        )),
        "apply_crl" => {
            let i = u16::try_from(req_u64(&req, "current_i")?).map_err(|_| "current_i: > 65535")?;
            Ok(answer_json(&device.apply_crl(
                &req_hex(&req, "crl")?,
                req_u64(&req, "now")?,
                i,
            )?))
        }
        "report" => {
            let r = device.report(
                &req_hex_list(&req, "evidence")?,
                &req_hex(&req, "ma_certificate")?,
                req_u64(&req, "now")?,
            )?;
            Ok(json!({"ok": true, "report": hex::encode(r)}))
        }
        "quit" => Ok(json!({"ok": true})),
        other => Err(format!("unknown op {other:?}")),
    })();
    let quit = op == "quit";
    match r {
        Ok(v) => (v, quit),
        Err(e) => (json!({"ok": false, "error": e}), quit),
    }
}

/// The adapter's loop: reads request lines from `input` until `quit` or EOF.
pub fn serve(
    device: &mut dyn Device,
    input: impl BufRead,
    mut output: impl Write,
) -> std::io::Result<()> {
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let (answer, quit) = handle_line(device, &line);
        writeln!(output, "{answer}")?;
        output.flush()?;
        if quit {
            break;
        }
    }
    Ok(())
}
