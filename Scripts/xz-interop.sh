#!/usr/bin/env bash
# .xz interoperability on the corpus, both directions (outside CI: it takes
# minutes in release):
#  - ours -z at presets 0 and 6 with each check type: `xz -t` accepts it and
#    `xz -dc` gives the original (SHA-1); multi-block (--block-size=1MiB) too;
#  - `xz -l` and `swiftlzma -l` print the same text (every number) for each;
#  - filters: ours with --x86 / --delta=dist=4 decodes with xz, xz's
#    filtered output decodes with ours, and both are the same bytes
#    (ooffice is an x86 executable).
# Usage: Scripts/xz-interop.sh   (env: CORPUS, OURS, PRESETS="0 6")
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${CORPUS:-$ROOT/../shared/corpus}
PRESETS=${PRESETS:-"0 6"}
if [[ -z "${OURS:-}" ]]; then
    (cd "$ROOT" && swift build -c release --product swiftlzma >/dev/null) || exit 1
    OURS="$ROOT/.build/release/swiftlzma"
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
cases=0
ok() { cases=$((cases + 1)); }
bad() { cases=$((cases + 1)); fails=$((fails + 1)); echo "FAIL $*"; }

for path in "$CORPUS"/*; do
    [[ -f $path && $(basename "$path") != SHA256SUMS ]] || continue
    f=$(basename "$path")
    want=$(sha1sum <"$path" | cut -c1-40)
    for p in $PRESETS; do
        for check in none crc32 crc64 sha256 multiblock; do
            if [[ $check == multiblock ]]; then
                args=(--block-size=1MiB -C crc64)
            else
                args=(-C "$check")
            fi
            out="$TMP/$f.$p.$check.xz"
            "$OURS" -z -"$p" "${args[@]}" -c "$path" >"$out" || { bad "$f -$p $check: ours exit $?"; continue; }
            xz -t "$out" 2>/dev/null || { bad "$f -$p $check: xz -t rejects ours"; continue; }
            got=$(xz -dc "$out" | sha1sum | cut -c1-40)
            [[ $got == "$want" ]] && ok || bad "$f -$p $check: xz -dc gives other bytes"
            got=$("$OURS" -dc "$out" | sha1sum | cut -c1-40)
            [[ $got == "$want" ]] && ok || bad "$f -$p $check: ours -dc gives other bytes"
            if diff <(xz -l "$out" 2>&1) <("$OURS" -l "$out" 2>&1) >/dev/null &&
                diff <(xz -lv "$out" 2>&1 | grep -v '^  Minimum XZ Utils\|Memory needed\|Sizes in headers') \
                    <("$OURS" -lv "$out" 2>&1 | grep -v '^  Minimum XZ Utils\|Memory needed\|Sizes in headers') >/dev/null; then
                ok
            else
                bad "$f -$p $check: xz -l and swiftlzma -l differ"
            fi
            echo "ok   $f -$p $check ($(stat -c %s "$out") bytes)"
            rm -f "$out"
        done
    done
done

echo "== filters"
for spec in "--x86 --lzma2=preset=6" "--delta=dist=4 --lzma2=preset=1" "--x86=start=4096 --lzma2=preset=0" \
            "--x86=start=16 --lzma2=preset=1"; do
    for f in ooffice kennedy.xls; do
        path="$CORPUS/$f"
        [[ -f $path ]] || continue
        want=$(sha1sum <"$path" | cut -c1-40)
        # shellcheck disable=SC2086
        "$OURS" -zc $spec "$path" >"$TMP/o.xz" && [[ $(xz -dc "$TMP/o.xz" | sha1sum | cut -c1-40) == "$want" ]] &&
            ok || bad "$f $spec: ours -> xz"
        # shellcheck disable=SC2086
        xz -T1 -zc $spec "$path" >"$TMP/x.xz" && [[ $("$OURS" -dc "$TMP/x.xz" | sha1sum | cut -c1-40) == "$want" ]] &&
            ok || bad "$f $spec: xz -> ours"
        cmp -s "$TMP/o.xz" "$TMP/x.xz" && { ok; echo "ok   $f $spec (byte-identical to xz)"; } ||
            bad "$f $spec: bytes differ from xz's"
    done
done
echo "xz-interop: $cases checks, $fails failed"
exit $((fails > 0))
