#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what the tests need,
# then formatting, lints and every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# System tools the tests talk to (interop checks against implementations we did not write).
need=()
command -v openssl >/dev/null || need+=(openssl)
command -v python3 >/dev/null || need+=(python3)
# The audit test edits a database with the sqlite3 tool, not through our code.
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v softhsm2-util >/dev/null || need+=(softhsm2)
# The openssl crate (benchmarks and differential tests of the verification engine).
dpkg -s libssl-dev >/dev/null 2>&1 || need+=(libssl-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v tshark >/dev/null || need+=(tshark)
command -v cc >/dev/null || need+=(gcc)
# PostgreSQL: the storage tests use the server on 127.0.0.1:5432 when one answers,
# otherwise they start a throwaway one with initdb + pg_ctl.
if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    need+=(postgresql)
fi
if [ ${#need[@]} -gt 0 ]; then
    as_root apt-get update
    # tshark asks whether non-root users may capture: answer no, without a prompt.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y "${need[@]}"
fi
rustup component add rustfmt clippy >/dev/null 2>&1 || true

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
# The C example links target/debug/libscms_sdk.{a,so}; cargo places those only for
# `cargo build`, so build them from the current sources first (same artifacts).
cargo build -p scms-client-sdk --lib --locked
cargo test --workspace --locked
