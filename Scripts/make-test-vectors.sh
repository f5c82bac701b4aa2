#!/usr/bin/env bash
# Regenerate TestVectors/: .lzma and raw LZMA1 streams made by the real xz
# (plus liblzma's LZMA1EXT encoder for known-size files without end marker),
# and TestVectors/manifest.tsv describing them.
#
# Deterministic: inputs come from Scripts/gen-inputs.py (fixed-seed private
# PRNG), xz runs single-threaded (-T1), nothing depends on the clock.
# Re-running gives byte-identical output with the same xz/liblzma version.
#
# Uncompressed inputs are NOT kept: they are regenerated in a temp dir; tests
# check decoded output against the manifest's SHA-1 and size.
#
# Manifest columns (tab-separated):
#   file format sha1 size lc lp pb dict known_size note
#   format      lzma | raw-lzma1
#   sha1,size   of the ORIGINAL uncompressed input
#   lc,lp,pb,dict  only for raw-lzma1 (what a decoder must be told; dict in
#               bytes, exactly as passed to xz), '-' for .lzma
#   known_size  no         header size = 0xFFFF_FFFF_FFFF_FFFF, end marker
#               yes-eopm   header holds the size AND the stream has an end
#                          marker (xz output with the size field patched in)
#               yes-noeopm header holds the size, no end marker (liblzma
#                          LZMA1EXT via Scripts/lzma-noeopm.py)
#   note        the xz options (or encoder options) that produced it
#
# Options xz refuses are written to TestVectors/xz-refused.tsv.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/TestVectors"
SCRIPTS="$ROOT/Scripts"
MAX_BYTES=$((5 * 1000 * 1000))

command -v xz >/dev/null || { echo "make-test-vectors: xz not found" >&2; exit 1; }
XZVER=$(xz --version | head -1)
case "$XZVER" in
    *" 5.4."*) ;;
    *) echo "make-test-vectors: warning: vectors were made with xz 5.4.1, this is '$XZVER';" \
            "output may differ (still valid, but not byte-identical)" >&2 ;;
esac

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
IN="$TMP/in"

# --- inputs -----------------------------------------------------------------
python3 "$SCRIPTS/gen-inputs.py" "$IN" >"$TMP/inputs.txt"
declare -A SHA SIZE
ALL_INPUTS=()
while IFS=$'\t' read -r name size; do
    ALL_INPUTS+=("$name")
    SIZE[$name]=$size
    SHA[$name]=$(sha1sum <"$IN/$name" | cut -d' ' -f1)
done <"$TMP/inputs.txt"

# Small, diverse inputs for the wide option matrix.
BASE=(text16k binary16k mixed4097)

# --- output dir -------------------------------------------------------------
mkdir -p "$OUT"
find "$OUT" -maxdepth 1 -type f \( -name '*.lzma' -o -name '*.raw' \) -delete
MANIFEST="$OUT/manifest.tsv"
REFUSED="$OUT/xz-refused.tsv"
printf 'file\tformat\tsha1\tsize\tlc\tlp\tpb\tdict\tknown_size\tnote\n' >"$MANIFEST"
printf 'input\tcommand\txz message\n' >"$REFUSED"
COUNT=0

manifest() { # file format input lc lp pb dict known note
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "${SHA[$3]}" "${SIZE[$3]}" \
        "$4" "$5" "$6" "$7" "$8" "$9" >>"$MANIFEST"
    COUNT=$((COUNT + 1))
}

# Run xz; on refusal, log to xz-refused.tsv and return 1 (the vector is skipped).
run_xz() { # input outfile xz-args...
    local input=$1 out=$2
    shift 2
    if ! xz -T1 -c "$@" <"$IN/$input" >"$out" 2>"$TMP/err"; then
        printf '%s\txz -T1 %s\t%s\n' "$input" "$*" "$(head -1 "$TMP/err")" >>"$REFUSED"
        echo "xz refused: xz $* ($input): $(head -1 "$TMP/err")" >&2
        rm -f "$out"
        return 1
    fi
}

# .lzma, unknown size, end marker (what the xz CLI writes).
vec_lzma() { # input tag xz-args...
    local input=$1 tag=$2
    shift 2
    local f="$input.$tag.lzma"
    [[ -e "$OUT/$f" ]] && { echo "duplicate vector name $f" >&2; exit 1; }
    run_xz "$input" "$OUT/$f" --format=lzma "$@" || return 0
    manifest "$f" lzma "$input" - - - - no "xz -T1 --format=lzma $*"
}

# Raw LZMA1 stream (no header, always ends with an end marker).
vec_raw() { # input tag lc lp pb dict [extra lzma1 options]
    local input=$1 tag=$2 lc=$3 lp=$4 pb=$5 dict=$6 extra=${7:-}
    local f="$input.$tag.raw"
    [[ -e "$OUT/$f" ]] && { echo "duplicate vector name $f" >&2; exit 1; }
    # extra goes first: a preset= there would otherwise reset lc/lp/pb/dict.
    local opts="${extra:+$extra,}lc=$lc,lp=$lp,pb=$pb,dict=$dict"
    run_xz "$input" "$OUT/$f" --format=raw "--lzma1=$opts" || return 0
    manifest "$f" raw-lzma1 "$input" "$lc" "$lp" "$pb" "$dict" no "xz -T1 --format=raw --lzma1=$opts"
}

le64() { # print $1 as 8 little-endian bytes
    local v=$1 i
    for i in 0 1 2 3 4 5 6 7; do
        printf "\\x$(printf %02x $(((v >> (8 * i)) & 255)))"
    done
}

# .lzma with known size AND end marker: xz output, size field (bytes 5..12) patched.
vec_known_eopm() { # input tag xz-args...
    local input=$1 tag=$2
    shift 2
    local f="$input.$tag.lzma"
    [[ -e "$OUT/$f" ]] && { echo "duplicate vector name $f" >&2; exit 1; }
    run_xz "$input" "$TMP/k.lzma" --format=lzma "$@" || return 0
    { head -c 5 "$TMP/k.lzma"; le64 "${SIZE[$input]}"; tail -c +14 "$TMP/k.lzma"; } >"$OUT/$f"
    manifest "$f" lzma "$input" - - - - yes-eopm "xz -T1 --format=lzma $*; header size patched to real size"
}

# .lzma with known size and NO end marker (liblzma LZMA1EXT through ctypes).
vec_known_noeopm() { # input tag encoder-options
    local input=$1 tag=$2 opts=$3
    local f="$input.$tag.lzma"
    [[ -e "$OUT/$f" ]] && { echo "duplicate vector name $f" >&2; exit 1; }
    python3 "$SCRIPTS/lzma-noeopm.py" "$IN/$input" "$OUT/$f" "$opts"
    manifest "$f" lzma "$input" - - - - yes-noeopm "liblzma LZMA1EXT (no end marker) $opts"
}

# --- matrix: wide options on the small base set ------------------------------
for input in "${BASE[@]}" random2k abab1k; do
    for p in 0 1 2 3 4 5 6 7 8 9; do vec_lzma "$input" "p$p" "-$p"; done
    vec_lzma "$input" p0e -0e
    vec_lzma "$input" e -e          # -e alone = -6e
    vec_lzma "$input" p9e -9e
done

# Every lc/lp pair with lc+lp <= 4 (15 pairs), pb cycling so each 0..4 appears
# several times; covers every value of lc, lp and pb.
LCLPPB=()
i=0
for lc in 0 1 2 3 4; do
    for lp in 0 1 2 3 4; do
        ((lc + lp <= 4)) || continue
        LCLPPB+=("$lc $lp $((i % 5))")
        i=$((i + 1))
    done
done
for input in "${BASE[@]}"; do
    for t in "${LCLPPB[@]}"; do
        read -r lc lp pb <<<"$t"
        vec_lzma "$input" "lc${lc}lp${lp}pb${pb}" "--lzma1=preset=6,lc=$lc,lp=$lp,pb=$pb"
    done
    for d in 4KiB 12KiB 65537 1MiB; do
        vec_lzma "$input" "d$d" "--lzma1=preset=6,dict=$d"
    done
    for mf in hc3 hc4 bt2 bt3 bt4; do
        for mode in fast normal; do
            vec_lzma "$input" "$mf-$mode" "--lzma1=preset=6,mf=$mf,mode=$mode"
        done
        # xz 5.4 accepts nice=2 for every match finder, but hc3/bt3 then behave
        # like nice=3 and hc4/bt4 like nice=4 (identical output).
        vec_lzma "$input" "$mf-nice2" "--lzma1=preset=6,mf=$mf,nice=2"
    done
    vec_lzma "$input" bt4-nice273 "--lzma1=preset=6,mf=bt4,mode=normal,nice=273"
    vec_lzma "$input" hc4-fast-nice273 "--lzma1=preset=6,mf=hc4,mode=fast,nice=273"
    vec_lzma "$input" bt4-depth1 "--lzma1=preset=6,mf=bt4,depth=1"
    vec_lzma "$input" mixopts1 "--lzma1=preset=9,lc=0,lp=2,pb=0,dict=12KiB,mf=bt2,mode=normal,nice=273"
    vec_lzma "$input" mixopts2 "--lzma1=preset=1,lc=4,lp=0,pb=4,dict=65537,mf=hc3,mode=fast,nice=3"
done

# Window wrap: inputs much longer than the dictionary.
vec_lzma text64k d4KiB "--lzma1=preset=6,dict=4KiB"
for d in 4KiB 12KiB 64KiB 65537; do
    vec_lzma text200k "d$d" "--lzma1=preset=6,dict=$d"
done
vec_lzma text200k d4KiB-fast "--lzma1=preset=6,dict=4KiB,mode=fast,mf=hc4"
vec_lzma big1300k d1MiB "--lzma1=preset=6,dict=1MiB"
vec_lzma mixed65537 d4KiB-lp2 "--lzma1=preset=6,dict=4KiB,lc=2,lp=2,pb=1"

# Raw LZMA1 streams.
RAWSETS=(
    "lc3lp0pb2-d8MiB|3|0|2|8388608|"
    "lc0lp0pb0-d4KiB|0|0|0|4096|"
    "lc4lp0pb4-d65537|4|0|4|65537|"
    "lc1lp3pb1-d12KiB|1|3|1|12288|mf=hc4,mode=fast"
    "lc0lp4pb3-d1MiB|0|4|3|1048576|mf=bt2,nice=273"
    "lc2lp2pb0-d64KiB|2|2|0|65536|mf=bt3,nice=3"
    "lc3lp1pb4-d4KiB|3|1|4|4096|preset=9,mode=normal"
    "lc0lp1pb2-d12KiB|0|1|2|12288|preset=0"
)
for input in "${BASE[@]}"; do
    for s in "${RAWSETS[@]}"; do
        IFS='|' read -r tag lc lp pb d extra <<<"$s"
        vec_raw "$input" "$tag" "$lc" "$lp" "$pb" "$d" "$extra"
    done
done
vec_raw text200k lc3lp0pb2-d4KiB 3 0 2 4096
vec_raw text200k lc3lp0pb2-d65537 3 0 2 65537
vec_raw big1300k lc3lp0pb2-d1MiB 3 0 2 1048576

# --- the full input list at a few settings ------------------------------------
for input in "${ALL_INPUTS[@]}"; do
    for p in 6 0 9e; do   # (the preset loop above already made some of these)
        [[ -e "$OUT/$input.p$p.lzma" ]] || vec_lzma "$input" "p$p" "-$p"
    done
    [[ -e "$OUT/$input.lc3lp0pb2-d8MiB.raw" ]] || vec_raw "$input" lc3lp0pb2-d8MiB 3 0 2 8388608
    vec_known_eopm "$input" known-eopm-p6 -6
    vec_known_noeopm "$input" known-noeopm-p6 preset=6
done

# Known size without end marker, with varied properties.
for input in "${BASE[@]}"; do
    vec_known_noeopm "$input" known-noeopm-lc0lp4pb0 "preset=6,lc=0,lp=4,pb=0"
    vec_known_noeopm "$input" known-noeopm-lc4lp0pb4 "preset=6,lc=4,lp=0,pb=4,dict=65537"
    vec_known_noeopm "$input" known-noeopm-d4KiB-fast "preset=1,dict=4KiB,mf=hc4,mode=fast"
    vec_known_eopm "$input" known-eopm-lc1lp1pb1 "--lzma1=preset=6,lc=1,lp=1,pb=1"
done
vec_known_noeopm text200k known-noeopm-d4KiB "preset=6,dict=4KiB"

# Probes that xz is expected to refuse (recorded in xz-refused.tsv, no vector).
vec_lzma byte1 refuse-lc5 "--lzma1=lc=5"
vec_lzma byte1 refuse-lc3lp2 "--lzma1=lc=3,lp=2"
vec_lzma byte1 refuse-pb5 "--lzma1=pb=5"
vec_lzma byte1 refuse-d4095 "--lzma1=dict=4095"
vec_lzma byte1 refuse-nice1 "--lzma1=nice=1"
vec_lzma byte1 refuse-nice274 "--lzma1=nice=274"

# --- verification -------------------------------------------------------------
echo "verifying $COUNT vectors..." >&2
fail=0
header_size() { od -An -tu8 -j5 -N8 "$1" | tr -d ' '; }
while IFS=$'\t' read -r file format sha size lc lp pb dict known note; do
    [[ "$file" == file ]] && continue
    path="$OUT/$file"
    if [[ "$format" == lzma ]]; then
        got=$(xz --format=lzma -dc "$path" | sha1sum | cut -d' ' -f1) || got="xz-failed"
        hs=$(header_size "$path")
        case "$known" in
            no) want=18446744073709551615 ;;
            *) want=$size ;;
        esac
        if [[ "$hs" != "$want" ]]; then
            echo "FAIL: $file: header size $hs, expected $want" >&2
            fail=1
        fi
    else
        got=$(xz --format=raw "--lzma1=lc=$lc,lp=$lp,pb=$pb,dict=$dict" -dc "$path" |
            sha1sum | cut -d' ' -f1) || got="xz-failed"
    fi
    if [[ "$got" != "$sha" ]]; then
        echo "FAIL: $file decodes to $got, manifest says $sha" >&2
        fail=1
    fi
done <"$MANIFEST"

bytes=$(du -sb "$OUT" | cut -f1)
files=$(find "$OUT" -maxdepth 1 -type f \( -name '*.lzma' -o -name '*.raw' \) | wc -l)
refused=$(($(wc -l <"$REFUSED") - 1))
echo "$files vector files, $COUNT manifest rows, $bytes bytes in TestVectors/, $refused xz refusals" >&2
if ((files != COUNT)); then
    echo "FAIL: $files files but $COUNT manifest rows" >&2
    fail=1
fi
if ((bytes > MAX_BYTES)); then
    echo "FAIL: TestVectors/ is $bytes bytes, budget $MAX_BYTES" >&2
    fail=1
fi
if ((fail)); then
    echo "make-test-vectors: VERIFICATION FAILED" >&2
    exit 1
fi
echo "make-test-vectors: all vectors verified" >&2
