#!/usr/bin/env bash
# Checks against data we did not write (the main job is scripts/demo.sh):
#   1. the real-world data in ../shared/samples: every certificate and SPDU
#      decodes, every signature whose signer is public verifies;
#   2. a complete SCMS hierarchy created with `scms init` (SQLite, sealed
#      software keys) and exported, each certificate verified against its issuer.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || { echo "needs a Rust toolchain (rustup)"; exit 1; }
cargo build --release -q -p scms-cli
scms=target/release/scms
samples=${SCMS_SAMPLES:-../shared/samples}
[ -d "$samples" ] || { echo "no samples at $samples (set SCMS_SAMPLES)"; exit 1; }

echo "== ISS production root (self-signed) and its CRL"
$scms inspect --verify "$samples/iss/iss_v2x_root.oer" | head -5
$scms inspect --verify --issuer "$samples/iss/iss_v2x_root.oer" "$samples/iss/CRL-2020-2025.oer" | head -4
echo "== EU CPOC trust-list manager and its ECTL (brainpoolP384r1)"
$scms inspect --verify "$samples/etsi-cpoc/E7A4B2B045E7ACF9.oer" | head -5
$scms inspect --verify --issuer "$samples/etsi-cpoc/E7A4B2B045E7ACF9.oer" "$samples/etsi-cpoc/CE4CF6C19BFED720.oer" | head -4
echo "== Real BSM and MAP SPDUs (signers not public: decoded, not verified)"
for f in ShortMsgData.bin udp-data.bin udp2-data.bin; do $scms inspect "$samples/spdu/$f" | head -3; done
echo "== ETSI ATS certificates"
n=0; for f in "$samples"/etsi-ats/*.oer; do $scms inspect "$f" >/dev/null; n=$((n+1)); done
echo "$n certificates decoded"

for profile in us cn; do
    echo "== scms init --profile $profile: a complete hierarchy, then every link verified"
    dir=$(mktemp -d)
    # A throwaway passphrase for throwaway keys: this data directory is deleted below.
    SCMS_PASSPHRASE=demo-only $scms init --data-dir "$dir/data" --profile "$profile" >/dev/null
    $scms export --data-dir "$dir/data" --out "$dir/export" >/dev/null
    # Each certificate's issuer is the exported certificate its issuer HashedId8 names.
    declare -A by_id=()
    for cert in "$dir"/export/*.oer; do
        [ "$(basename "$cert")" = ctl.oer ] && continue
        by_id[$($scms inspect "$cert" | sed -n 's/^hashedId8: //p')]=$cert
    done
    for cert in "$dir"/export/*.oer; do
        role=$(basename "$cert" .oer)
        [ "$role" = ctl ] && continue
        issuer=$($scms inspect "$cert" | sed -n 's/^issuer: //p')
        if [ "$issuer" = self ]; then
            line=$($scms inspect --verify "$cert" | grep -m1 verification)
        else
            line=$($scms inspect --verify --issuer "${by_id[$issuer]}" "$cert" | grep -m1 verification)
            line="$line, issuer $(basename "${by_id[$issuer]}" .oer)"
        fi
        echo "  $role: $line"
    done
    rm -rf "$dir"
done
