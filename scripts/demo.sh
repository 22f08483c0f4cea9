#!/usr/bin/env bash
# The main job: a whole SCMS on this machine. Builds `scms` in release and runs
# `scms demo` (every authority in one process on SQLite, over HTTP on loopback,
# 20 simulated vehicles that enroll, provision, drive and exchange signed BSMs).
# Arguments go to `scms demo`, e.g. scripts/demo.sh --vehicles 50 --json.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || { echo "needs a Rust toolchain (rustup)"; exit 1; }
cargo build --release -q -p scms-cli
exec target/release/scms demo "$@"
