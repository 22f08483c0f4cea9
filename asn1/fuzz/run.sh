#!/usr/bin/env bash
# Fuzzes the COER decoders with cargo-fuzz (nightly), then minimises each corpus
# back into corpus/<target> and appends the figures to FUZZING.md.
#
#   asn1/fuzz/run.sh SECONDS JOBS [TARGET...]     (default: every target)
set -euo pipefail
cd "$(dirname "$0")"
secs=$1; jobs=$2; shift 2
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cargo +nightly fuzz list); fi
cargo +nightly fuzz build -O >/dev/null
mkdir -p logs

fuzz_one() {
    local t=$1 secs=$2
    local start; start=$(date -u +%FT%TZ)
    nice -n 19 cargo +nightly fuzz run -O "$t" "corpus/$t" -- \
        -max_total_time="$secs" -max_len=4096 -rss_limit_mb=2048 -timeout=10 \
        > "logs/$t.log" 2>&1 || { echo "$t: FAILED, see asn1/fuzz/logs/$t.log"; return 1; }
    local runs; runs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "logs/$t.log" | tail -1)
    # Keep only inputs that add coverage.
    rm -rf "corpus/$t.min" && mkdir "corpus/$t.min"
    cargo +nightly fuzz run -O "$t" "corpus/$t.min" "corpus/$t" -- -merge=1 > "logs/$t.merge.log" 2>&1
    rm -rf "corpus/$t" && mv "corpus/$t.min" "corpus/$t"
    echo "| $start | $t | $secs s | ${runs:-?} | $(ls "corpus/$t" | wc -l) files |" >> FUZZING.md
    echo "$t: ${runs:-?}"
}
export -f fuzz_one
[ -f FUZZING.md ] || printf '# Fuzzing log\n\nAppended by `asn1/fuzz/run.sh`: start (UTC), target, duration, libFuzzer executions, corpus size after minimisation. No crash unless noted.\n\n| start | target | duration | runs | corpus |\n|---|---|---|---|---|\n' > FUZZING.md
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c "fuzz_one {} $secs"
