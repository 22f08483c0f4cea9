#!/usr/bin/env bash
# Builds a C example against the SDK library: static by default, or
# `build.sh shared` for libscms_sdk.so; the second argument names the
# program (sign_verify by default, or enroll_provision). Run from anywhere:
#   cargo build -p scms-client-sdk && client-sdk/examples/c/build.sh
# Environment: CC (default cc), TARGET_DIR (default <workspace>/target/debug),
# OUT (default $TARGET_DIR/<program>).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sdk="$(cd "$here/../.." && pwd)"
target="${TARGET_DIR:-$sdk/../target/debug}"
prog="${2:-sign_verify}"
out="${OUT:-$target/$prog}"
cc="${CC:-cc}"
if [ "${1:-static}" = shared ]; then
    "$cc" -std=c99 -Wall -Wextra -Werror -I "$sdk/include" "$here/$prog.c" \
        -L "$target" -lscms_sdk -Wl,-rpath,"$target" -o "$out"
else
    # The system libraries a Rust staticlib needs on Linux.
    "$cc" -std=c99 -Wall -Wextra -Werror -I "$sdk/include" "$here/$prog.c" \
        "$target/libscms_sdk.a" -lpthread -ldl -lm -lrt -lgcc_s -o "$out"
fi
echo "$out"
