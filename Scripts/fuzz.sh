#!/usr/bin/env bash
# Builds and runs the libFuzzer targets of Scripts/fuzz/targets/.
#
#   Scripts/fuzz.sh [--short] [--time SECONDS] [--jobs N] [--runs N] [--build-only] [TARGET...]
#
# Each target is one file, Scripts/fuzz/targets/NAME.swift, compiled with
# Scripts/fuzz/FuzzSupport.swift against every library source (built once) by
# the toolchain's own libFuzzer support (swiftc -sanitize=fuzzer,address) into
# .build-fuzz/NAME.
# A target whose first lines say `// requires: FLAG` is built only when the
# library has that feature (see `features` below), with -D FLAG.
#
# The corpus of each target lives in fuzz-out/corpus/NAME/ (seeded by
# Scripts/fuzz/make-seeds.py, kept between runs so coverage accumulates);
# the dictionary is Scripts/fuzz/NAME.dict if there is one, else lzma.dict;
# crashers go to fuzz-out/NAME/. Every run appends its executions to
# fuzz-out/totals.tsv; the summary prints this run's and all runs' counts.
#
#   --time S    seconds per target (default 180); --short = 20 s (for CI)
#   --jobs N    parallel fuzzing processes per target (default 1)
#   --runs N    stop each target after N executions instead of a time budget
#   --build-only  build the targets and exit
# Exit status: 1 if any target crashed, 2 for a build failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

time_budget=180
jobs=1
runs=""
build_only=0
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --short) time_budget=20 ;;
        --time) time_budget=$2; shift ;;
        --jobs) jobs=$2; shift ;;
        --runs) runs=$2; shift ;;
        --build-only) build_only=1 ;;
        -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1") ;;
    esac
    shift
done

# Library features that targets may require. A new decoder format: one line here.
features=()
grep -q 'case xz' Sources/LZMA/API/Decompressor.swift && features+=(HAVE_XZ)

has_feature() { local f; for f in "${features[@]}"; do [ "$f" = "$1" ] && return 0; done; return 1; }

available=()
for f in Scripts/fuzz/targets/*.swift; do
    name=$(basename "$f" .swift)
    req=$(sed -n 's|^// requires: *||p' "$f" | head -1)
    if [ -n "$req" ] && ! has_feature "$req"; then
        continue
    fi
    available+=("$name")
done
if [ ${#targets[@]} -eq 0 ]; then
    targets=("${available[@]}")
fi
for t in "${targets[@]}"; do
    if [[ ! " ${available[*]} " == *" $t "* ]]; then
        echo "fuzz.sh: no target '$t' (available: ${available[*]})" >&2
        exit 2
    fi
done

SWIFTC=${SWIFTC:-swiftc}
mkdir -p .build-fuzz fuzz-out
mapfile -t lib_sources < <(find Sources/LZMA -name '*.swift' | sort)
defines=()
for f in "${features[@]}"; do defines+=(-D "$f"); done

# ld.gold warns about every ASan helper symbol; keep only real diagnostics.
quiet_ld() { grep -v -e 'Cannot export local symbol' -e '^$' >&2 || true; }

# Coverage for the library: edges only by default. -sanitize=fuzzer would add
# trace-cmp, a callback on every comparison, which more than halves the speed
# of the decoders' hot loops; the dictionary supplies the magic values instead.
# FUZZ_TRACE_CMP=1 builds with it.
if [ "${FUZZ_TRACE_CMP:-0}" = 1 ]; then
    lib_coverage=(-sanitize=fuzzer,address)
else
    lib_coverage=(-sanitize=address -sanitize-coverage=edge,inline-8bit-counters,pc-table)
fi

# The library is compiled once (whole module, -O, coverage + ASan) into
# .build-fuzz/lib/libLZMA.a; each target is its file plus FuzzSupport.swift
# linked against it with libFuzzer's main.
build_lib() {
    local lib=.build-fuzz/lib/libLZMA.a newest
    newest=$(ls -t "${lib_sources[@]}" "$0" | head -1)
    if [ -f "$lib" ] && [ "$lib" -nt "$newest" ] && [ "$(cat .build-fuzz/lib/flags 2>/dev/null)" = "${lib_coverage[*]} ${defines[*]}" ]; then
        return 0
    fi
    echo "== build library (${lib_coverage[*]}, -O)"
    local start=$SECONDS
    mkdir -p .build-fuzz/lib
    if ! "$SWIFTC" -parse-as-library "${lib_coverage[@]}" -O -g -wmo -module-name LZMA "${defines[@]}" \
        -emit-module -emit-module-path .build-fuzz/lib/LZMA.swiftmodule -emit-library -static \
        "${lib_sources[@]}" -o "$lib" 2> >(quiet_ld); then
        echo "fuzz.sh: library build failed" >&2
        exit 2
    fi
    echo "${lib_coverage[*]} ${defines[*]}" > .build-fuzz/lib/flags
    echo "   built in $((SECONDS - start)) s"
}

build() {
    local t=$1 bin=.build-fuzz/$1 newest
    newest=$(ls -t .build-fuzz/lib/libLZMA.a Scripts/fuzz/FuzzSupport.swift "Scripts/fuzz/targets/$t.swift" "$0" | head -1)
    if [ -x "$bin" ] && [ "$bin" -nt "$newest" ]; then return 0; fi
    echo "== build $t"
    if ! "$SWIFTC" -parse-as-library -sanitize=fuzzer,address -O -g -module-name "fuzz_$t" "${defines[@]}" \
        -I .build-fuzz/lib Scripts/fuzz/FuzzSupport.swift "Scripts/fuzz/targets/$t.swift" \
        -L .build-fuzz/lib -lLZMA -o "$bin" 2> >(quiet_ld); then
        echo "fuzz.sh: build of $t failed" >&2
        exit 2
    fi
}

build_lib
for t in "${targets[@]}"; do build "$t"; done
[ $build_only = 1 ] && exit 0

# Input size limit: small inputs keep executions fast (bugs in headers, chunk
# boundaries and model state show up within a few KiB); seeds are at most 4 KiB.
max_len() { case "$1" in roundtrip) echo 4096 ;; *) echo 4096 ;; esac; }

declare -A ran crashed
any_crash=0
for t in "${targets[@]}"; do
    corpus=$ROOT/fuzz-out/corpus/$t
    out=$ROOT/fuzz-out/$t
    mkdir -p "$corpus" "$out"
    python3 Scripts/fuzz/make-seeds.py "$t" "$corpus" >/dev/null
    logdir=$(mktemp -d)
    before=$(find "$out" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
    dict=$ROOT/Scripts/fuzz/lzma.dict
    [ -f "$ROOT/Scripts/fuzz/$t.dict" ] && dict=$ROOT/Scripts/fuzz/$t.dict
    args=("$corpus" -dict="$dict" -artifact_prefix="$out/" -max_len="$(max_len "$t")"
          -timeout=20 -rss_limit_mb=4096 -print_final_stats=1)
    if [ -n "$runs" ]; then args+=(-runs="$runs"); else args+=(-max_total_time="$time_budget"); fi
    echo "== fuzz $t ($(if [ -n "$runs" ]; then echo "$runs runs"; else echo "$time_budget s"; fi), $jobs job(s))"
    # Swift's runtime keeps some allocations for the process's lifetime; they are not leaks.
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
    # The Swift backtracer reads raw memory, which ASan reports as a second crash.
    export SWIFT_BACKTRACE=enable=no
    if [ "$jobs" -gt 1 ]; then
        # libFuzzer runs the jobs in parallel, each writing fuzz-<n>.log in the
        # current directory and sharing the corpus directory.
        (cd "$logdir" && "$ROOT/.build-fuzz/$t" "${args[@]}" -jobs="$jobs" -workers="$jobs" >/dev/null 2>&1) || true
    else
        ".build-fuzz/$t" "${args[@]}" > "$logdir/fuzz-0.log" 2>&1 || true
    fi
    execs=0
    for log in "$logdir"/fuzz-*.log; do
        n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        [ -z "$n" ] && n=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
        [ -z "$n" ] && n=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -1)
        execs=$((execs + ${n:-0}))
        if grep -q -e '==ERROR' -e 'Fatal error' -e 'deadly signal' "$log"; then
            cp "$log" "$out/$(date +%Y%m%d-%H%M%S)-$(basename "$log")"
            grep -m3 -e 'Fatal error' -e '==ERROR' -e 'SUMMARY' "$log" | sed 's/^/   /'
        fi
    done
    after=$(find "$out" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
    ran[$t]=$execs
    crashed[$t]=$((after - before))
    [ "${crashed[$t]}" -gt 0 ] && any_crash=1
    printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$execs" "${crashed[$t]}" "${runs:-${time_budget}s}x$jobs" \
        >> fuzz-out/totals.tsv
    rm -rf "$logdir"
done

echo
printf '%-10s %14s %8s %16s %s\n' target executions crashes "all runs" "corpus"
for t in "${targets[@]}"; do
    total=$(awk -F'\t' -v t="$t" '$2 == t { s += $3 } END { print s + 0 }' fuzz-out/totals.tsv)
    printf '%-10s %14s %8s %16s %s\n' "$t" "${ran[$t]}" "${crashed[$t]}" "$total" "$(ls fuzz-out/corpus/$t | wc -l) files"
done
[ $any_crash = 1 ] && { echo "crashers are in fuzz-out/<target>/"; exit 1; }
exit 0
