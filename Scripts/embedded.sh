#!/usr/bin/env bash
# Embedded Swift and WebAssembly check (issue 9, item 7).
#
# 1. Compiles the library (Sources/LZMA/**/*.swift, nothing else) in Embedded
#    Swift for x86_64-unknown-linux-gnu, wasm32-unknown-none-wasm,
#    armv7em-none-none-eabi and riscv32-none-none-eabi (-c only).
# 2. Builds the Embedded self-test (Scripts/embedded/*.swift compiled with the
#    library sources as one -wmo module) for the host, runs it: every .lzma/.xz
#    vector of TestVectors/ decoded and SHA-1-checked, round trips at presets 0
#    and 6 (.xz and .lzma), bad inputs; last line "N passed, 0 failed".
# 3. Links the same program for wasm32-unknown-none-wasm with wasm-ld (allocator,
#    output and file access written in Swift over WASI) and runs it under
#    `wasmkit run`.
# 4. Reports the native binary's size and its peak RSS decoding the .xz of a
#    10 MB corpus file in a streaming loop (64 KiB buffers), next to xz's.
#
# Exits non-zero on any failure; exits 0 with a SKIP message only when the
# toolchain has no Embedded Swift standard library.
# Environment: SWIFT_BIN (default: the directory of `swiftc` on PATH, else
# /opt/swift/usr/bin); EMBEDDED_KEEP=1 keeps the build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS=0

if [ -z "${SWIFT_BIN:-}" ]; then
    if [ -x /opt/swift/usr/bin/swiftc ]; then
        SWIFT_BIN=/opt/swift/usr/bin
    elif command -v swiftc >/dev/null 2>&1; then
        SWIFT_BIN=$(dirname "$(readlink -f "$(command -v swiftc)")")
    else
        echo "embedded.sh: SKIP: no swiftc found"
        exit 0
    fi
fi
SWIFTC=$SWIFT_BIN/swiftc
EMBEDDED_LIB=$SWIFT_BIN/../lib/swift/embedded
HOST=x86_64-unknown-linux-gnu
WASM=wasm32-unknown-none-wasm
if [ ! -d "$EMBEDDED_LIB/$HOST" ] || [ ! -d "$EMBEDDED_LIB/Swift.swiftmodule" ]; then
    echo "embedded.sh: SKIP: this toolchain ($SWIFTC) has no Embedded Swift standard library ($EMBEDDED_LIB)"
    exit 0
fi
for tool in "$SWIFT_BIN/wasm-ld" "$SWIFT_BIN/wasmkit" "$SWIFT_BIN/clang"; do
    [ -x "$tool" ] || { echo "embedded.sh: FAIL: $tool is missing (the toolchain has Embedded Swift)"; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/embedded.XXXXXX")
if [ "${EMBEDDED_KEEP:-0}" = 1 ]; then
    echo "(build directory kept: $WORK)"
else
    trap 'rm -rf "$WORK"' EXIT
fi

mapfile -t LIB_SOURCES < <(find Sources/LZMA -name '*.swift' | sort)
TEST_SOURCES=(Scripts/embedded/*.swift)
EMBEDDED_FLAGS=(-enable-experimental-feature Embedded -wmo -parse-as-library -Osize)

echo "== 1. the library alone, Embedded Swift, -c for 4 targets"
compile_library() {  # target
    local flags=("${EMBEDDED_FLAGS[@]}")
    [ "$1" = "$HOST" ] || flags+=(-Xfrontend -disable-stack-protector)
    if "$SWIFTC" -target "$1" "${flags[@]}" -module-name LZMA -c "${LIB_SOURCES[@]}" \
            -o "$WORK/LZMA-$1.o" >"$WORK/lib-$1.log" 2>&1; then
        echo "   $1: OK ($(stat -c %s "$WORK/LZMA-$1.o") bytes of object code)"
    else
        echo "   $1: FAILED"; cat "$WORK/lib-$1.log"; return 1
    fi
}
# Two at a time (CI has 2 cores).
status=0
compile_library $HOST & p1=$!
compile_library $WASM & p2=$!
wait $p1 || status=1; wait $p2 || status=1
compile_library armv7em-none-none-eabi & p1=$!
compile_library riscv32-none-none-eabi & p2=$!
wait $p1 || status=1; wait $p2 || status=1
[ $status = 0 ] || { echo "embedded.sh: FAIL: the library does not compile in Embedded Swift"; exit 1; }

echo "== [${SECONDS} s] 2. the self-test, native ($HOST) and wasm32"
NATIVE=$WORK/lzma-selftest
WASM_OBJ=$WORK/lzma-selftest-wasm.o
WASM_MOD=$WORK/lzma-selftest.wasm
# Native: linked by swiftc against the host libc (fopen/fread/putchar/malloc).
# -function-sections + --gc-sections drop the library's unused public API.
NATIVE_CMD=("$SWIFTC" -target $HOST "${EMBEDDED_FLAGS[@]}" -enable-experimental-feature Extern
            -Xfrontend -function-sections -Xlinker --gc-sections
            -module-name LZMASelfTest "${LIB_SOURCES[@]}" "${TEST_SOURCES[@]}" -o "$NATIVE")
# wasm32: no libc at all; the program defines posix_memalign/free, putchar and
# uses WASI imports (Scripts/embedded/Platform.swift, WasmAllocator.swift).
WASM_CMD=("$SWIFTC" -target $WASM "${EMBEDDED_FLAGS[@]}" -enable-experimental-feature Extern
          -Xfrontend -disable-stack-protector
          -module-name LZMASelfTest "${LIB_SOURCES[@]}" "${TEST_SOURCES[@]}" -c -o "$WASM_OBJ")
# The stack goes first, so an overflow traps instead of overwriting data;
# memory grows on demand (memory.grow) up to 1 GiB.
WASM_LINK=("$SWIFT_BIN/wasm-ld" "$WASM_OBJ" -o "$WASM_MOD" --export=_start --wrap=free
           --stack-first -z stack-size=1048576 --max-memory=1073741824)
echo "   ${NATIVE_CMD[*]}" | sed "s|$WORK|\$WORK|g; s|${LIB_SOURCES[*]}|Sources/LZMA/**/*.swift|"
echo "   ${WASM_CMD[*]}" | sed "s|$WORK|\$WORK|g; s|${LIB_SOURCES[*]}|Sources/LZMA/**/*.swift|"
echo "   ${WASM_LINK[*]}" | sed "s|$WORK|\$WORK|g"
"${NATIVE_CMD[@]}" >"$WORK/native-build.log" 2>&1 & p1=$!
"${WASM_CMD[@]}" >"$WORK/wasm-build.log" 2>&1 & p2=$!
status=0
wait $p1 || { echo "   native build FAILED"; cat "$WORK/native-build.log"; status=1; }
wait $p2 || { echo "   wasm32 build FAILED"; cat "$WORK/wasm-build.log"; status=1; }
[ $status = 0 ] || exit 1
"${WASM_LINK[@]}" || { echo "   wasm-ld FAILED"; exit 1; }
for log in "$WORK/native-build.log" "$WORK/wasm-build.log"; do
    if grep -q 'warning:' "$log"; then echo "   compiler warnings:"; cat "$log"; fi
done

check_last_line() {  # name output-file
    local last
    last=$(tail -n 1 "$2")
    if [[ "$last" =~ ^[0-9]+\ passed,\ 0\ failed$ ]] && [ "${last%% *}" -gt 0 ]; then
        echo "   $1: $last"
    else
        echo "   $1: FAILED"; cat "$2"; return 1
    fi
}

echo "== [${SECONDS} s] 3. run natively"
status=0
"$NATIVE" selftest TestVectors >"$WORK/native.out" 2>&1 || status=$?
grep -v '^[0-9]* passed' "$WORK/native.out" | sed 's/^/   /'
check_last_line "native" "$WORK/native.out" || exit 1
[ $status = 0 ] || { echo "   native self-test exited with $status"; exit 1; }

echo "== [${SECONDS} s] 4. run under wasmkit"
status=0
start=$(date +%s)
(cd TestVectors && "$SWIFT_BIN/wasmkit" run --dir . "$WASM_MOD" selftest .) >"$WORK/wasm.out" 2>&1 || status=$?
grep -v '^[0-9]* passed' "$WORK/wasm.out" | sed 's/^/   /'
check_last_line "wasm32 under wasmkit ($(( $(date +%s) - start )) s)" "$WORK/wasm.out" || exit 1
[ $status = 0 ] || { echo "   wasm self-test exited with $status"; exit 1; }

echo "== [${SECONDS} s] 5. size and memory"
stripped=$WORK/lzma-selftest.stripped
"$SWIFT_BIN/llvm-objcopy" --strip-all "$NATIVE" "$stripped"
echo "   native self-test binary: $(stat -c %s "$NATIVE") bytes ($(stat -c %s "$stripped") stripped); wasm module: $(stat -c %s "$WASM_MOD") bytes"

command -v xz >/dev/null 2>&1 || { echo "embedded.sh: FAIL: xz is needed for the memory comparison"; exit 1; }
SAMPLE=../shared/corpus/dickens          # 10,192,446 bytes of text
if [ ! -f "$SAMPLE" ]; then
    SAMPLE=$WORK/numbers                  # no corpus: 10 MB of generated text instead
    seq 1 1400000 >"$SAMPLE"
fi
xz -6 -T1 -c "$SAMPLE" >"$WORK/sample.xz"
expected=$(xz -dc "$WORK/sample.xz" | sha1sum | cut -d' ' -f1)
expected_size=$(stat -c %s "$SAMPLE")

# Peak RSS in KiB of a command (output to $WORK/rss.out).
peak_rss() {
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -v "$@" >"$WORK/rss.out" 2>"$WORK/rss.time"
        sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$WORK/rss.time"
    else
        python3 - "$WORK/rss.out" "$@" <<'EOF'
import resource, subprocess, sys
with open(sys.argv[1], "wb") as out:
    rc = subprocess.call(sys.argv[2:], stdout=out)
if rc != 0:
    sys.exit(rc)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF
    fi
}
ours=$(peak_rss "$NATIVE" stream "$WORK/sample.xz") || { echo "   streaming decode FAILED"; cat "$WORK/rss.out"; exit 1; }
read -r got_size got_sha1 <"$WORK/rss.out"
if [ "$got_size" != "$expected_size" ] || [ "$got_sha1" != "$expected" ]; then
    echo "   streaming decode FAILED: $got_size bytes, SHA-1 $got_sha1; expected $expected_size, $expected"
    exit 1
fi
theirs=$(peak_rss xz -dc "$WORK/sample.xz")
echo "   decoding $(basename "$SAMPLE").xz ($(stat -c %s "$WORK/sample.xz") bytes -> $expected_size, xz -6, SHA-1 OK):" \
     "peak RSS $ours KiB (Embedded Swift, 64 KiB buffers) vs $theirs KiB (xz -dc)"
echo "embedded.sh: OK (${SECONDS} s)"
