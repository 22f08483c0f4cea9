#!/usr/bin/env bash
# Runs the cargo-fuzz targets (nightly) of the directory it is called from: the
# COER decoders (asn1/fuzz/run.sh) or the HTTP endpoints (fuzz/run.sh, a link to
# this file); then minimises each corpus back into corpus/<target> and appends
# the figures to FUZZING.md.
#
#   asn1/fuzz/run.sh SECONDS JOBS [TARGET...]     (default: every target)
#   SANITIZER=none fuzz/run.sh 3600 1 http_ra_provision
#   fuzz/run.sh min 2                             (only minimise the corpora)
#
# SANITIZER (default address) is passed to cargo fuzz; `none` runs about twice
# as fast, and the code under test is safe Rust apart from the field assembly,
# which has its own differential tests.
set -euo pipefail
cd "$(dirname "$0")"
san=${SANITIZER:-address}
export san
secs=$1; jobs=$2; shift 2
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cargo +nightly fuzz list); fi
cargo +nightly fuzz build -O -s "$san" >/dev/null
mkdir -p logs

fuzz_one() {
    local t=$1 secs=$2
    local start; start=$(date -u +%FT%TZ)
    mkdir -p "corpus/$t"
    local runs=""
    if [ "$secs" != min ]; then
        nice -n 19 cargo +nightly fuzz run -O -s "$san" "$t" "corpus/$t" -- \
            -max_total_time="$secs" -max_len=4096 -rss_limit_mb=2048 -timeout=10 \
            > "logs/$t.log" 2>&1 || { echo "$t: FAILED, see $PWD/logs/$t.log"; return 1; }
        runs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "logs/$t.log" | tail -1)
    fi
    # Keep a smallest set of inputs that covers every feature reached.
    rm -rf "corpus/$t.min" && mkdir "corpus/$t.min"
    nice -n 19 cargo +nightly fuzz run -O -s "$san" "$t" "corpus/$t.min" "corpus/$t" -- -set_cover_merge=1 > "logs/$t.merge.log" 2>&1 \
        || { echo "$t: minimising FAILED, corpus kept, see $PWD/logs/$t.merge.log"; return 1; }
    rm -rf "corpus/$t" && mv "corpus/$t.min" "corpus/$t"
    local what="$secs s ($san)"; [ "$secs" = min ] && what="minimised only"
    echo "| $start | $t | $what | ${runs:--} | $(ls "corpus/$t" | wc -l) files |" >> FUZZING.md
    echo "$t: ${runs:-?}"
}
export -f fuzz_one
[ -f FUZZING.md ] || printf '# Fuzzing log\n\nAppended by `asn1/fuzz/run.sh`: start (UTC), target, duration, libFuzzer executions, corpus size after minimisation. No crash unless noted.\n\n| start | target | duration | runs | corpus |\n|---|---|---|---|---|\n' > FUZZING.md
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c "fuzz_one {} $secs"
