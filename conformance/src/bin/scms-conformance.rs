//! `scms-conformance`: run the conformance suite, list its test purposes and mutants.

use scms_ca::profile::Family;
use scms_conformance::mutants::mutants;
use scms_conformance::report;
use scms_conformance::runner::{run, selected, RunOptions};
use scms_conformance::tp::Verdict;

const USAGE: &str = "usage:
  scms-conformance run --target TARGET [--profile us|cn] [--only PATTERN[,PATTERN...]]
                       [--endpoint ROLE=URL]... [--json FILE] [--junit FILE] [--html FILE]
      TARGET: sdk | http://HOST:PORT | adapter:CMD | mutant:NAME
      --endpoint ROLE=URL (http targets): the paths of ROLE (eca, ra, crl, ma) go to URL
      exit status: 0 all pass or inconclusive, 1 a test purpose failed, 2 usage or setup error
  scms-conformance list [--markdown] [--only PATTERN]
  scms-conformance mutants [--verbose | --markdown]";

fn die(msg: &str) -> ! {
    eprintln!("scms-conformance: {msg}");
    std::process::exit(2)
}

fn write(path: &Option<String>, text: &str) {
    if let Some(p) = path {
        if let Err(e) = std::fs::write(p, text) {
            die(&format!("{p}: {e}"));
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        die(USAGE);
    };
    let mut target = None;
    let mut family = Family::Us;
    let mut only = None;
    let mut endpoints = Vec::new();
    let (mut json, mut junit, mut html) = (None, None, None);
    let mut markdown = false;
    let mut verbose = false;
    let mut it = args[1..].iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .unwrap_or_else(|| die(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--target" => target = Some(value()),
            "--profile" => {
                family = match value().as_str() {
                    "us" => Family::Us,
                    "cn" => Family::Cn,
                    p => die(&format!("--profile {p}: us or cn")),
                }
            }
            "--only" => only = Some(value()),
            "--endpoint" => {
                let v = value();
                let (role, url) = v
                    .split_once('=')
                    .unwrap_or_else(|| die(&format!("--endpoint {v}: expected ROLE=URL")));
                endpoints.push((role.to_string(), url.to_string()));
            }
            "--json" => json = Some(value()),
            "--junit" => junit = Some(value()),
            "--html" => html = Some(value()),
            "--markdown" => markdown = true,
            "--verbose" | "-v" => verbose = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return;
            }
            other => die(&format!("unknown argument {other}\n{USAGE}")),
        }
    }
    match cmd.as_str() {
        "list" => {
            let tps = selected(only.as_deref());
            if markdown {
                print!("{}", report::catalogue_markdown(&tps));
            } else {
                for t in &tps {
                    println!("{:<28} {:<7} {}", t.id, t.needs.as_str(), t.purpose);
                }
            }
        }
        "mutants" => {
            if markdown {
                print!("{}", report::mutants_markdown(&mutants()));
                return;
            }
            for m in mutants() {
                if verbose {
                    println!(
                        "{:<32} {}\n{:<32} caught by {}",
                        m.name,
                        m.description,
                        "",
                        m.caught_by.join(", ")
                    );
                } else {
                    println!("{}", m.name);
                }
            }
        }
        "run" => {
            let target = target.unwrap_or_else(|| die("run needs --target"));
            let r = run(&RunOptions {
                target,
                family,
                only,
                endpoints,
            })
            .unwrap_or_else(|e| die(&e));
            for t in &r.results {
                println!("{:<12} {:<28} {}", t.verdict.as_str(), t.id, t.reason);
            }
            println!(
                "{} pass, {} fail, {} inconclusive ({} ms)",
                r.count(Verdict::Pass),
                r.count(Verdict::Fail),
                r.count(Verdict::Inconclusive),
                r.duration_ms
            );
            write(&json, &format!("{:#}\n", report::json(&r)));
            write(&junit, &report::junit(&r));
            write(&html, &report::html(&r));
            if r.count(Verdict::Fail) > 0 {
                std::process::exit(1);
            }
        }
        other => die(&format!("unknown command {other}\n{USAGE}")),
    }
}
