#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer (debug build, separate scratch
# path .build-asan so the normal .build is not invalidated).
#
#   Scripts/asan-tests.sh            every test
#   Scripts/asan-tests.sh --quick    every library test suite (each decoder and
#                                    encoder path: .lzma, raw LZMA1, LZMA2, .xz,
#                                    filters, checksums, fuzz regressions) but
#                                    not the CLI tests (they run the same library
#                                    through the swiftlzma binary) nor the two
#                                    slowest vector-streaming tests (1-byte and
#                                    7-byte chunks over every vector, which the
#                                    other chunked tests and the fuzzers cover)
#   Scripts/asan-tests.sh [swift test arguments, e.g. --filter REGEX]
#
# ASan catches out-of-bounds and use-after-free in the unsafe-pointer code of
# the decoders, encoder, match finders, checksums and filters, which an
# ordinary run can miss when a stray access lands in mapped memory.
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
if [ "${1:-}" = --quick ]; then
    shift
    args=(--skip 'CLITests\.' --skip 'DecoderVectorTests/testStreamingTinyChunks'
          --skip 'DecoderVectorTests/testStreamingChunks7And4096')
fi

# Leak checking is off: the Swift runtime and XCTest keep allocations for the
# life of the process, which LeakSanitizer reports at exit. Override with
# ASAN_OPTIONS if needed.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
# The Swift backtracer reads raw memory, which ASan would report as a second crash.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}

start=$SECONDS
echo "== swift test --sanitize=address --scratch-path .build-asan ${args[*]} $*"
swift test --sanitize=address --scratch-path .build-asan "${args[@]}" "$@"
echo "== ASan tests passed in $((SECONDS - start)) s"
