#!/usr/bin/env bash
# The main job. Today (before `scms demo` lands, issue 8): build `scms` and run it
# over the real-world data in ../shared/samples: decode every certificate and
# SPDU, and check every signature whose signer is public.
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
