#!/usr/bin/env bash
# Heavy checks that need a release build (too slow for `swift test` in debug).
# .ci/run calls this; it can also be run by hand: Scripts/release-checks.sh
#
# 1. Decompression bomb: small .xz and .lzma files that expand to 3 GiB are
#    decoded by `swiftlzma -dc` to /dev/null and tested with -t --sha1; peak
#    RSS must stay within 16 MiB of xz's own on the same file (output is
#    bounded per call; only the declared dictionary is ever allocated).
# 2. Streaming compression memory: 1 GiB through standard input at -6 costs
#    the same peak RSS as 40 MB (within 5%), for .xz and .lzma, and for
#    .lzma at -T2 (the match finder on a second thread).
# 3. Parallel streaming: 1 GiB through standard input at -T2 -6 (the
#    multithreaded format, 24 MiB blocks) costs about what 200 MB costs
#    (within 10%) and no more than xz -T2 plus 25%; -T2 -dc of the result
#    costs at most two blocks more than for 200 MB and xz -T2 plus 25%, and
#    gives the input back.
# 4. The README's main command: `swiftlzma --roundtrip` prints OK.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

swift build -c release --product swiftlzma >/dev/null
BIN="$ROOT/.build/release/swiftlzma"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [[ ! -x /usr/bin/time ]]; then
    apt-get install -y -qq time >/dev/null 2>&1 || true
fi
peak_kib_to() { # file command... -> prints peak RSS in KiB of the command (its stdout goes to file)
    local out=$1
    shift
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -f %M -o "$TMP/rss" "$@" >"$out"
        cat "$TMP/rss"
    else
        python3 -c 'import resource,subprocess,sys
with open(sys.argv[1], "wb") as f: subprocess.run(sys.argv[2:], stdout=f, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$out" "$@"
    fi
}
peak_kib() { peak_kib_to /dev/null "$@"; } # command... -> peak RSS in KiB (stdout discarded)
section_start=-1
section() { # name: prints the time of the section before and starts the next
    ((section_start < 0)) || echo "      ($((SECONDS - section_start)) s)"
    section_start=$SECONDS
    [[ -z "$1" ]] || echo "== $1"
}
fail=0
check() { # name ok?
    if [[ $2 == 1 ]]; then echo "ok    $1"; else echo "FAIL  $1"; fail=1; fi
}

section "decompression bombs (3 GiB of output each)"
if command -v xz >/dev/null; then
    head -c 3G /dev/zero | xz -T1 -6 -c >"$TMP/bomb.xz"
    head -c 3G /dev/zero | xz -T1 --format=lzma -6 -c >"$TMP/bomb.lzma"
    ls -l "$TMP"/bomb.* | awk '{print "      " $5 " bytes  " $9}'
    want=$(head -c 3G /dev/zero | sha1sum | cut -c1-40)
    for f in bomb.xz bomb.lzma; do
        # One decode gives both the peak memory and the SHA-1 of the output.
        start=$(date +%s)
        big=$(peak_kib_to "$TMP/sha1" "$BIN" -t --sha1 "$TMP/$f")
        secs=$(($(date +%s) - start))
        ref=$(peak_kib xz -t "$TMP/$f")
        echo "      $f: -t peak RSS ours ${big} KiB, xz ${ref} KiB; ours ${secs} s"
        check "$f decodes in bounded memory" $((big < ref + 16384 ? 1 : 0))
        out=$(cut -c1-40 "$TMP/sha1")
        check "$f decodes to the right 3 GiB (SHA-1)" $([[ $out == "$want" ]] && echo 1 || echo 0)
    done
else
    echo "skip: xz is not installed"
fi

section "streaming compression: 1 GiB through stdin costs what 40 MB costs"
# (process substitution: `yes` dies of SIGPIPE, which pipefail would report)
gen() { head -c "$1" < <(yes 'LZMA streams through a sliding window; memory is bounded by the settings.'); }
# -F lzma -T2: the match finder on a thread of its own (its queues bounded too).
# 40 MB fills every window and table once (with the match finder on a thread
# of its own both sides have a window; swiftlzma backs them with 2 MiB huge
# pages, so a table half touched counts whole pages later).
gen 40M >"$TMP/forty"
for run in "xz -T1" "lzma -T1" "lzma -T2"; do
    read -r fmt threads <<<"$run"
    small=$(peak_kib "$BIN" -z "$threads" -6 -F "$fmt" -c "$TMP/forty")
    big=$(gen 1G | peak_kib "$BIN" -z "$threads" -6 -F "$fmt" -c)
    echo "      -F $fmt $threads -6: 40 MB ${small} KiB, 1 GiB via stdin ${big} KiB"
    check "-F $fmt $threads: 1 GiB stdin peak RSS within 5% of 40 MB" $((big * 100 <= small * 105 ? 1 : 0))
done
if cmp <(gen 1G | "$BIN" -z -0 -c | "$BIN" -dc) <(gen 1G); then
    check "1 GiB -0 stream round trip through pipes" 1
else
    check "1 GiB -0 stream round trip through pipes" 0
fi

section "parallel streaming: 1 GiB through stdin at -T2 costs what 200 MB costs"
gen 200M >"$TMP/mid"
small=$(peak_kib "$BIN" -z -T2 -6 -c "$TMP/mid")
start=$(date +%s)
# The measured run also writes the file the decoding checks below use.
big=$(gen 1G | peak_kib_to "$TMP/big.xz" "$BIN" -z -T2 -6 -c)
secs=$(($(date +%s) - start))
if command -v xz >/dev/null; then ref=$(gen 1G | peak_kib xz -z -T2 -6 -c); else ref=$big; fi
echo "      -z -T2 -6: 200 MB ${small} KiB, 1 GiB via stdin ${big} KiB (${secs} s), xz -T2 ${ref} KiB"
check "-z -T2: 1 GiB stdin peak RSS within 10% of 200 MB" $((big * 100 <= small * 110 ? 1 : 0))
check "-z -T2: 1 GiB stdin peak RSS at most xz -T2's + 25%" $((big * 100 <= ref * 125 ? 1 : 0))
gen 200M | "$BIN" -z -T2 -6 -c >"$TMP/mid.xz"
small=$(peak_kib "$BIN" -dc -T2 "$TMP/mid.xz")
big=$(peak_kib "$BIN" -dc -T2 "$TMP/big.xz")
if command -v xz >/dev/null; then ref=$(peak_kib xz -dc -T2 "$TMP/big.xz"); else ref=$big; fi
echo "      -dc -T2: 200 MB ${small} KiB, 1 GiB ${big} KiB, xz -T2 ${ref} KiB"
# Decoded blocks wait for the one before them, so the peak varies run to run
# by a block or two (24 MiB each at -6), but it must not grow with the input.
check "-dc -T2: 1 GiB peak RSS at most 200 MB's + two blocks (48 MiB)" $((big <= small + 49152 ? 1 : 0))
check "-dc -T2: 1 GiB peak RSS at most xz -T2's + 25%" $((big * 100 <= ref * 125 ? 1 : 0))
if cmp <("$BIN" -dc -T2 "$TMP/big.xz") <(gen 1G); then
    check "1 GiB -T2 round trip" 1
else
    check "1 GiB -T2 round trip" 0
fi
rm -f "$TMP/big.xz" "$TMP/mid.xz" "$TMP/mid"

section "swiftlzma --roundtrip"
"$BIN" --roundtrip | tee "$TMP/rt"
check "--roundtrip prints OK" $([[ $(tail -1 "$TMP/rt") == OK ]] && echo 1 || echo 0)

section ""
if [[ $fail == 0 ]]; then echo "release checks: all passed"; else echo "release checks: FAILED"; fi
exit $fail
