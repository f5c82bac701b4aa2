#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer (debug build, separate scratch
# path .build-asan so the normal .build is not invalidated).
#
#   Scripts/asan-tests.sh [--filter REGEX] [extra swift test arguments]
#
# Without --filter it runs every test. ASan catches out-of-bounds and
# use-after-free in the unsafe-pointer code of the decoders, encoder, match
# finders, checksums and filters, which an ordinary run can miss when a stray
# access happens to land in mapped memory.
set -euo pipefail
cd "$(dirname "$0")/.."

# Leak checking is off: the Swift runtime and XCTest keep allocations for the
# life of the process, which LeakSanitizer reports at exit. Override with
# ASAN_OPTIONS if needed.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
# The Swift backtracer reads raw memory, which ASan would report as a second crash.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}

start=$SECONDS
echo "== swift test --sanitize=address (scratch path .build-asan) $*"
swift test --sanitize=address --scratch-path .build-asan "$@"
echo "== ASan tests passed in $((SECONDS - start)) s"
