#!/usr/bin/env python3
"""Fuzzing time per target, summed over the rows of the FUZZING.md logs.

    python3 scripts/fuzz_hours.py            # every target, least fuzzed first
    python3 scripts/fuzz_hours.py --goal 3600 --next 4

Reads the rows `| start | target | N s (...) | runs | corpus |` that
`asn1/fuzz/run.sh` and `fuzz/run.sh` append; a target with a file in
`fuzz_targets/` but no row counts as 0 s. `--next N` prints the run.sh
command for the N least fuzzed targets below the goal in each directory.
"""
import argparse
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DIRS = ["asn1/fuzz", "fuzz"]
ROW = re.compile(r"^\|\s*\S+\s*\|\s*(\w+)\s*\|\s*(\d+) s\b[^|]*\|\s*([^|]*)\|")
RUNS = re.compile(r"Done (\d+) runs")


def tally(d):
    seconds, runs = {}, {}
    for t in sorted((ROOT / d / "fuzz_targets").glob("*.rs")):
        seconds[t.stem], runs[t.stem] = 0, 0
    log = ROOT / d / "FUZZING.md"
    for line in log.read_text().splitlines() if log.exists() else []:
        m = ROW.match(line)
        if not m:
            continue
        name = m.group(1)
        seconds[name] = seconds.get(name, 0) + int(m.group(2))
        r = RUNS.search(m.group(3))
        runs[name] = runs.get(name, 0) + (int(r.group(1)) if r else 0)
    return seconds, runs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--goal", type=int, default=3600, help="seconds per target")
    ap.add_argument("--next", type=int, default=0, help="print a run.sh command")
    a = ap.parse_args()
    for d in DIRS:
        seconds, runs = tally(d)
        order = sorted(seconds, key=lambda t: (seconds[t], t))
        missing = sum(max(0, a.goal - s) for s in seconds.values())
        done = sum(s >= a.goal for s in seconds.values())
        print(f"{d}: {done}/{len(seconds)} targets at {a.goal} s or more; "
              f"{missing / 3600:.1f} CPU-hours missing")
        for t in order:
            print(f"  {t:32} {seconds[t] / 60:7.1f} min {runs[t]:>13,} runs")
        below = [t for t in order if seconds[t] < a.goal][: a.next]
        if below:
            secs = max(a.goal - seconds[t] for t in below)
            print(f"  next: SANITIZER=none {d}/run.sh {secs} 2 {' '.join(below)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
