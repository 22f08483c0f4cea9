//! A generic view of decoded values, printed as indented text or JSON by `scms inspect`.

use core::fmt::Write;

/// A decoded value with its ASN.1 names.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Bytes(Vec<u8>),
    Bits(String),
    Str(String),
    Enum(&'static str),
    /// A SEQUENCE: its type name and the components present.
    Seq(&'static str, Vec<(&'static str, Value)>),
    /// A CHOICE: the alternative chosen.
    Choice(&'static str, Box<Value>),
    List(Vec<Value>),
    /// An unknown extension addition or CHOICE alternative.
    Unknown {
        tag: u64,
        bytes: Vec<u8>,
    },
}

fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

fn json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl Value {
    /// JSON: SEQUENCEs are objects, CHOICEs `{"alt": value}`, bytes lowercase hex strings.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.json_into(&mut out);
        out
    }

    fn json_into(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                // Integers beyond 2^53 are quoted so JSON readers keep every digit.
                if i.unsigned_abs() < (1u128 << 53) {
                    let _ = write!(out, "{i}");
                } else {
                    let _ = write!(out, "\"{i}\"");
                }
            }
            Value::Bytes(b) => json_str(&hex(b), out),
            Value::Bits(s) | Value::Str(s) => json_str(s, out),
            Value::Enum(s) => json_str(s, out),
            Value::Seq(_, fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json_str(k, out);
                    out.push(':');
                    v.json_into(out);
                }
                out.push('}');
            }
            Value::Choice(alt, v) => {
                out.push('{');
                json_str(alt, out);
                out.push(':');
                v.json_into(out);
                out.push('}');
            }
            Value::List(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.json_into(out);
                }
                out.push(']');
            }
            Value::Unknown { tag, bytes } => {
                let _ = write!(out, "{{\"unknown\":{{\"index\":{tag},\"bytes\":");
                json_str(&hex(bytes), out);
                out.push_str("}}");
            }
        }
    }

    /// Indented, readable text.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.text_into(&mut out, 0);
        out
    }

    fn text_into(&self, out: &mut String, indent: usize) {
        let pad = "  ".repeat(indent);
        match self {
            Value::Null => out.push_str("NULL"),
            Value::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Bytes(b) => {
                let _ = write!(out, "{} ({} bytes)", hex(b), b.len());
            }
            Value::Bits(s) => out.push_str(s),
            Value::Str(s) => {
                let _ = write!(out, "{s:?}");
            }
            Value::Enum(s) => out.push_str(s),
            Value::Seq(name, fields) => {
                let _ = write!(out, "{name} {{");
                for (k, v) in fields {
                    let _ = write!(out, "\n{pad}  {k}: ");
                    v.text_into(out, indent + 1);
                }
                let _ = write!(out, "\n{pad}}}");
            }
            Value::Choice(alt, v) => {
                let _ = write!(out, "{alt}: ");
                v.text_into(out, indent);
            }
            Value::List(items) => {
                out.push('[');
                for v in items {
                    let _ = write!(out, "\n{pad}  ");
                    v.text_into(out, indent + 1);
                }
                let _ = write!(out, "\n{pad}]");
            }
            Value::Unknown { tag, bytes } => {
                let _ = write!(out, "unknown extension {tag}: {}", hex(bytes));
            }
        }
    }
}
