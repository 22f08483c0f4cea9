//! Reports a lab hands over: JSON (`{"suite_version", "target", "results":
//! [{"id", "verdict", "reason", ...}]}`), JUnit XML and HTML, each with the
//! verdicts, reasons, timestamps and the PDUs exchanged (hex).

use crate::runner::{RunReport, TpReport};
use crate::tp::{TestPurpose, Verdict};
use serde_json::{json, Value};

pub fn json(r: &RunReport) -> Value {
    json!({
        "suite_version": r.suite_version,
        "target": r.target,
        "profile": r.profile,
        "started": r.started,
        "duration_ms": r.duration_ms,
        "summary": {
            "pass": r.count(Verdict::Pass),
            "fail": r.count(Verdict::Fail),
            "inconclusive": r.count(Verdict::Inconclusive),
        },
        "results": r.results.iter().map(tp_json).collect::<Vec<_>>(),
    })
}

fn tp_json(t: &TpReport) -> Value {
    json!({
        "id": t.id,
        "verdict": t.verdict.as_str(),
        "reason": t.reason,
        "group": t.group,
        "purpose": t.purpose,
        "started": t.started,
        "duration_ms": t.duration_ms,
        "pdus": t.exchanges.iter().map(|e| json!({
            "direction": e.direction, "what": e.what, "hex": e.hex,
        })).collect::<Vec<_>>(),
    })
}

/// XML text escaping (also for attribute values).
pub fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

pub fn junit(r: &RunReport) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!(
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">\n",
        xml_escape(&r.suite_version),
        r.results.len(),
        r.count(Verdict::Fail),
        r.count(Verdict::Inconclusive),
        r.duration_ms as f64 / 1000.0
    ));
    let mut groups: Vec<&str> = r.results.iter().map(|t| t.group).collect();
    groups.dedup();
    for g in groups {
        let ts: Vec<&TpReport> = r.results.iter().filter(|t| t.group == g).collect();
        x.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" timestamp=\"{}\">\n",
            xml_escape(g),
            ts.len(),
            ts.iter().filter(|t| t.verdict == Verdict::Fail).count(),
            ts.iter().filter(|t| t.verdict == Verdict::Inconclusive).count(),
            xml_escape(&r.started)
        ));
        x.push_str(&format!(
            "    <properties><property name=\"target\" value=\"{}\"/><property name=\"profile\" value=\"{}\"/></properties>\n",
            xml_escape(&r.target),
            xml_escape(&r.profile)
        ));
        for t in ts {
            x.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\">\n",
                xml_escape(g),
                t.id,
                t.duration_ms as f64 / 1000.0
            ));
            match t.verdict {
                Verdict::Pass => {}
                Verdict::Fail => x.push_str(&format!(
                    "      <failure message=\"{}\"/>\n",
                    xml_escape(&t.reason)
                )),
                Verdict::Inconclusive => x.push_str(&format!(
                    "      <skipped message=\"inconclusive: {}\"/>\n",
                    xml_escape(&t.reason)
                )),
            }
            let mut out = format!("{}\nstarted {}\n{}\n", t.purpose, t.started, t.reason);
            for e in &t.exchanges {
                out.push_str(&format!("{} {}: {}\n", e.direction, e.what, e.hex));
            }
            x.push_str(&format!(
                "      <system-out>{}</system-out>\n",
                xml_escape(&out)
            ));
            x.push_str("    </testcase>\n");
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

pub fn html(r: &RunReport) -> String {
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Conformance report</title>\n<style>\nbody{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}\n.pass{background:#e6f4e6}.fail{background:#fbe3e3}.inconclusive{background:#fdf6dc}\ncode{font-size:11px;word-break:break-all}details{margin:0}\n</style></head><body>\n");
    h.push_str(&format!(
        "<h1>Conformance report</h1>\n<p>Suite: {}<br>Target: <code>{}</code><br>Profile: {}<br>Started: {} ({} ms)</p>\n",
        xml_escape(&r.suite_version),
        xml_escape(&r.target),
        xml_escape(&r.profile),
        xml_escape(&r.started),
        r.duration_ms
    ));
    h.push_str(&format!(
        "<p><b>{} pass, {} fail, {} inconclusive</b> of {} test purposes.</p>\n",
        r.count(Verdict::Pass),
        r.count(Verdict::Fail),
        r.count(Verdict::Inconclusive),
        r.results.len()
    ));
    let mut groups: Vec<&str> = r.results.iter().map(|t| t.group).collect();
    groups.dedup();
    for g in groups {
        h.push_str(&format!(
            "<h2>{}</h2>\n<table><tr><th>ID</th><th>Purpose</th><th>Verdict</th><th>Reason</th><th>PDUs</th></tr>\n",
            xml_escape(g)
        ));
        for t in r.results.iter().filter(|t| t.group == g) {
            let mut pdus = String::new();
            for e in &t.exchanges {
                pdus.push_str(&format!(
                    "<details><summary>{} {}</summary><code>{}</code></details>",
                    if e.direction == "to_target" {
                        "&rarr;"
                    } else {
                        "&larr;"
                    },
                    xml_escape(&e.what),
                    xml_escape(&e.hex)
                ));
            }
            h.push_str(&format!(
                "<tr class=\"{v}\"><td><code>{}</code></td><td>{}</td><td>{v}</td><td>{}<br><small>{}, {} ms</small></td><td>{}</td></tr>\n",
                t.id,
                xml_escape(t.purpose),
                xml_escape(&t.reason),
                xml_escape(&t.started),
                t.duration_ms,
                pdus,
                v = t.verdict.as_str()
            ));
        }
        h.push_str("</table>\n");
    }
    h.push_str("</body></html>\n");
    h
}

/// The catalogue as a Markdown table (docs/conformance.md).
pub fn catalogue_markdown(tps: &[TestPurpose]) -> String {
    let mut m = String::new();
    let mut last = None;
    for t in tps {
        if last != Some(t.group) {
            m.push_str(&format!(
                "\n### {}\n\n| ID | target | purpose |\n|---|---|---|\n",
                t.group.title()
            ));
            last = Some(t.group);
        }
        m.push_str(&format!(
            "| `{}` | {} | {} |\n",
            t.id,
            t.needs.as_str(),
            t.purpose
        ));
    }
    m
}

/// The mutants as a Markdown table (docs/conformance.md).
pub fn mutants_markdown(mutants: &[crate::mutants::Mutant]) -> String {
    let mut m = String::new();
    for x in mutants {
        let ids: Vec<String> = x.caught_by.iter().map(|i| format!("`{i}`")).collect();
        m.push_str(&format!(
            "| `{}` | {} | {} |\n",
            x.name,
            x.description,
            ids.join(", ")
        ));
    }
    m
}
