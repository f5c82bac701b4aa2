#!/usr/bin/env bash
# Benchmark swiftlzma against xz (and sha1sum) on the shared corpus.
#
# Usage: Scripts/bench.sh [decode] [sha1] [encode] [xz] [mt] [seek] [roundtrip] [workmem] [all]   (default: all)
# Environment:
#   CORPUS      corpus dir (default: <repo>/../shared/corpus)
#   FILES       space-separated corpus file names to use (default: all files)
#   RUNS        timed runs per command (default 3); medians are reported
#   PRESETS     presets for 'encode' (default "0 1 3 6 9 9e")
#   XZ_PRESETS  presets for 'xz' (default "0 6")
#   MT_PRESETS  presets for 'mt' (default "1 3"); MT_SIZE its input size (default 40000000)
#   ROUNDTRIP_SIZE  input size for 'roundtrip' (default 12000000); ROUNDTRIP_PRESETS (default 6)
#   SEEK_SIZE   input size for 'seek' (default 41943040: 40 blocks of 1 MiB, the last one full);
#               SEEK_LEN bytes read (default 100000); SEEK_RUNS its runs (default 9: they are short)
#   OURS        command used as "ours" (default: <repo>/.build-bench/release/swiftlzma,
#               built here with `swift build -c release --static-swift-stdlib
#               -Xswiftc -static-executable`, as a binary would be shipped: no
#               shared library to load or relocate, which takes 3 ms off every
#               run's start-up and 2.6 MB off its resident memory; where the C
#               library has no static archive, `--static-swift-stdlib` alone,
#               whose static runtime still saves ~3 MB). May contain args;
#               e.g. OURS=xz benchmarks xz against itself to test this script.
#   SKIP_BUILD  set to 1 to not run `swift build` for the default OURS
#   DECODE_MODES  inputs for 'decode' (default "6"): xz presets (6, 0, 9e...), x86 or
#               delta (those filters before LZMA2 -6), lzmaN (.lzma at preset N)
#   WORKMEM_PRESETS  presets for 'workmem' (default "0 6 9"); WORKMEM_FILE its input
#               (default dickens)
#   CACHE       where corpus .xz/.lzma files for 'decode' are kept between runs
#               (default <repo>/.build/bench-cache; xz output is deterministic)
#
# Timing: each command runs through Scripts/bench-run.py (perf_counter wall
# time, peak RSS from wait4). Ours and the reference alternate run by run so
# background load hits both alike. Ratios are ours/reference: < 1 = ours is
# faster / smaller / leaner. A command of ours that exits non-zero gives an
# "n/a (exit N)" row (features land at different times), never an abort.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${CORPUS:-$ROOT/../shared/corpus}
RUNS=${RUNS:-3}
PRESETS=${PRESETS:-"0 1 3 6 9 9e"}
XZ_PRESETS=${XZ_PRESETS:-"0 6"}
CACHE=${CACHE:-$ROOT/.build/bench-cache}
RUN="python3 $ROOT/Scripts/bench-run.py"
# liblzma 5.8.1 as the second reference ('decode'): timed inside its Python
# process by Scripts/liblzma58-decode.py (decoder creation to its end, input
# read and output written as xz58 -d does), so Python's start-up is not in it.
XZ58=${XZ58:-$ROOT/../shared/tools/xz58}
if [[ ! -x "$XZ58" ]] || ! "$XZ58" --version >/dev/null 2>&1; then XZ58=""; fi

if [[ -z "${OURS:-}" ]]; then
    OURS="$ROOT/.build-bench/release/swiftlzma"
    if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
        echo "building swiftlzma (release)..." >&2
        # (The linker warns that the runtime's optional dlopen of
        # prespecialized metadata needs glibc's shared libraries at run time;
        # without them that lookup just finds nothing.)
        (cd "$ROOT" && swift build -c release --static-swift-stdlib -Xswiftc -static-executable \
            --scratch-path .build-bench --product swiftlzma 2>&1 | grep -v "Using 'dlopen' in statically linked") >&2 &&
            "$OURS" --version >/dev/null 2>&1 || {
            echo "bench: no fully static build here; --static-swift-stdlib only" >&2
            (cd "$ROOT" && swift build -c release --static-swift-stdlib --scratch-path .build-bench --product swiftlzma) >&2 || {
                echo "bench: swift build failed" >&2
                exit 1
            }
        }
    fi
fi
read -ra OURS_CMD <<<"$OURS"

# Peak RSS is measured with GNU time (see Scripts/bench-run.py for why).
if [[ ! -x /usr/bin/time ]]; then
    echo "bench: /usr/bin/time missing, trying apt-get install -y time" >&2
    apt-get install -y time >/dev/null 2>&1 ||
        echo "bench: warning: no GNU time; peak RSS includes Python's ~14 MB fork baseline" >&2
fi

SECTIONS=("$@")
((${#SECTIONS[@]})) || SECTIONS=(all)
for s in "${SECTIONS[@]}"; do
    case "$s" in decode | sha1 | encode | xz | mt | seek | roundtrip | workmem | all) ;; *)
        echo "usage: $0 [decode] [sha1] [encode] [xz] [mt] [seek] [roundtrip] [workmem] [all]" >&2
        exit 2
        ;;
    esac
done
want() { local s; for s in "${SECTIONS[@]}"; do [[ "$s" == "$1" || "$s" == all ]] && return 0; done; return 1; }

[[ -d "$CORPUS" ]] || { echo "bench: corpus dir $CORPUS not found" >&2; exit 1; }
if [[ -n "${FILES:-}" ]]; then
    read -ra NAMES <<<"$FILES"
else
    NAMES=()
    for f in "$CORPUS"/*; do
        b=$(basename "$f")
        [[ -f "$f" && "$b" != SHA256SUMS && "$b" != *.sha* && "$b" != *.md ]] && NAMES+=("$b")
    done
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# --- helpers ------------------------------------------------------------------
median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
maxof() { sort -g | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b + 0 == 0) print "-"; else printf "%.3f", a / b}'; }
sumf() { awk '{s += $1} END {printf "%.6f", s}'; }
sha1() { sha1sum | cut -d' ' -f1; }
fsize() { stat -c %s "$1"; }

# measure OUT CMD... -> sets M_RC M_T M_KB (stderr of the command in $TMP/err)
measure() {
    local out=$1
    shift
    read -r M_RC M_T M_KB < <($RUN "$out" "$TMP/err" "$@")
}

# Alternate ours/reference RUNS times. Both commands write stdout to the given
# files. Sets O_T O_KB R_T R_KB (median time, max RSS) and O_RC (first
# non-zero exit of ours, else 0); R_RC likewise for the reference.
alternate() { # ours_out ref_out -- ours args... -- ref args...
    local oout=$1 rout=$2
    shift 3
    local oc=() rc=()
    while [[ $1 != -- ]]; do oc+=("$1"); shift; done
    shift
    rc=("$@")
    local ot=() okb=() rt=() rkb=() r
    O_RC=0 R_RC=0 O_ERR="" R_ERR=""
    local r step
    for ((r = 0; r < RUNS; r++)); do
        # Swap the order every run (ours first, then xz first, ...) so
        # neither side systematically runs first (cache, CPU clock effects).
        for step in 0 1; do
            if (((r + step) % 2 == 0)); then
                ((O_RC == 0)) || continue
                measure "$oout" "${oc[@]}"
                if ((M_RC != 0)); then O_RC=$M_RC; O_ERR=$(head -c 200 "$TMP/err" | head -1); else ot+=("$M_T"); okb+=("$M_KB"); fi
            else
                ((R_RC == 0)) || continue
                measure "$rout" "${rc[@]}"
                if ((M_RC != 0)); then R_RC=$M_RC; R_ERR=$(head -c 200 "$TMP/err" | head -1); else rt+=("$M_T"); rkb+=("$M_KB"); fi
            fi
        done
    done
    O_T=$(printf '%s\n' "${ot[@]}" | grep . | median)
    O_KB=$(printf '%s\n' "${okb[@]}" | grep . | maxof)
    R_T=$(printf '%s\n' "${rt[@]}" | grep . | median)
    R_KB=$(printf '%s\n' "${rkb[@]}" | grep . | maxof)
}

hr() { printf '%*s\n' "$1" '' | tr ' ' -; }

declare -A ORIG_SHA
orig_sha() { # cache the SHA-1 of a corpus file
    [[ -n "${ORIG_SHA[$1]:-}" ]] || ORIG_SHA[$1]=$(sha1 <"$CORPUS/$1")
    echo "${ORIG_SHA[$1]}"
}

echo "ours: ${OURS_CMD[*]}"
echo "xz:   $(xz --version | head -1); corpus: $CORPUS (${#NAMES[@]} files); RUNS=$RUNS"
FAILS=0

# --- decode -------------------------------------------------------------------
# Decoding mode -> the xz options that make its input (.xz, one thread).
decode_opts() {
    case "$1" in
    x86) echo "--x86 --lzma2=preset=6" ;;
    delta) echo "--delta=dist=1 --lzma2=preset=6" ;;
    lzma*) echo "--format=lzma -${1#lzma}" ;;
    *) echo "-$1" ;;
    esac
}

# Runs each of N commands RUNS times, rotating which goes first every run.
# Commands are separated by "--"; stdout goes to /dev/null. A command whose
# first word is @self times itself: it prints "SECONDS ..." and that is its
# time. Sets A_T[i] (median seconds) and A_RC[i] (first non-zero exit, else 0).
alternate_n() {
    local cmds=() cur=() c n r k
    while (($#)); do
        if [[ $1 == -- ]]; then cmds+=("${cur[*]}"); cur=(); else cur+=("$1"); fi
        shift
    done
    cmds+=("${cur[*]}")
    n=${#cmds[@]}
    A_T=() A_RC=()
    local -a times
    for ((c = 0; c < n; c++)); do times[c]=""; A_RC[c]=0; done
    for ((r = 0; r < RUNS; r++)); do
        for ((k = 0; k < n; k++)); do
            c=$(((r + k) % n))
            ((A_RC[c] == 0)) || continue
            read -ra cur <<<"${cmds[c]}"
            if [[ ${cur[0]} == @self ]]; then
                local line
                line=$("${cur[@]:1}" 2>"$TMP/err")
                M_RC=$?
                M_T=${line%% *}
            else
                measure /dev/null "${cur[@]}"
            fi
            if ((M_RC != 0)); then A_RC[c]=$M_RC; else times[c]+="$M_T "; fi
        done
    done
    for ((c = 0; c < n; c++)); do A_T[c]=$(printf '%s\n' ${times[c]} | grep . | median); done
}

bench_decode() {
    local modes=${DECODE_MODES:-6}
    echo
    echo "== decode: ours -T1 -dc F.xz vs xz -dc F.xz (F.xz = xz -T1 with the mode's options), whole processes =="
    [[ -z $XZ58 ]] || echo "   and vs liblzma 5.8.1 in process (Scripts/liblzma58-decode.py: no process start-up, which ours pays)"
    echo "   modes: $modes; three-way alternation, medians of $RUNS runs"
    mkdir -p "$CACHE"
    local in58=(@self python3 "$ROOT/Scripts/liblzma58-decode.py" "$XZ58")
    # A native xz 5.8.1 process would pay a start-up too (exec, loading
    # liblzma, reading the file): modelled as xz 5.4.1's, the median time of
    # `xz -dc` on an empty .xz, added to liblzma 5.8.1's in-process time in
    # the vs_58p column. vs_58 (no start-up for it at all) stays the strict one.
    local start58=0
    if [[ -n $XZ58 ]]; then
        xz -T1 -c </dev/null >"$TMP/empty.xz"
        local st=() i
        for ((i = 0; i < 3 * RUNS; i++)); do measure /dev/null xz -dc "$TMP/empty.xz"; st+=("$M_T"); done
        start58=$(printf '%s\n' "${st[@]}" | median)
        echo "   vs_58p: liblzma 5.8.1 + xz 5.4.1's start-up ($start58 s, xz -dc of an empty .xz, median of $((3 * RUNS)))"
    fi
    local mode
    for mode in $modes; do
        local opts
        opts=$(decode_opts "$mode")
        echo
        echo "-- mode $mode (xz $opts) --"
        printf '%-12s %10s %9s %9s %7s' file size ours_s xz_s vs_xz
        [[ -z $XZ58 ]] || printf ' %9s %7s %7s' xz58_s vs_58 vs_58p
        printf '  %s\n' check
        hr 88
        local name sum_o=0 sum_r=0 sum_58=0 n_ok=0 worst58=0 worstname="" worst58p=0 worstnamep=""
        for name in "${NAMES[@]}"; do
            local src="$CORPUS/$name" z="$CACHE/$name.$mode.xz" key
            [[ $mode == lzma* ]] && z="$CACHE/$name.p${mode#lzma}.lzma"
            key="$(fsize "$src") $(stat -c %Y "$src") $opts"
            if [[ ! -s "$z" || "$(cat "$z.key" 2>/dev/null)" != "$key" ]]; then
                # shellcheck disable=SC2086
                xz $opts -T1 -c "$src" >"$z" && echo "$key" >"$z.key"
            fi
            local check
            measure "$TMP/dec" "${OURS_CMD[@]}" -dc "$z"
            if ((M_RC != 0)); then
                printf '%-12s %10s  n/a (exit %s) %s\n' "$name" "$(fsize "$src")" "$M_RC" "$(head -1 "$TMP/err" | head -c 100)"
                continue
            fi
            if [[ "$(sha1 <"$TMP/dec")" == "$(orig_sha "$name")" ]]; then check=ok; else
                check=FAIL
                FAILS=$((FAILS + 1))
            fi
            if [[ -n $XZ58 ]]; then
                alternate_n "${OURS_CMD[@]}" -T1 -dc "$z" -- xz -dc "$z" -- "${in58[@]}" "$z"
            else
                alternate_n "${OURS_CMD[@]}" -T1 -dc "$z" -- xz -dc "$z"
            fi
            if ((A_RC[0] != 0)); then
                printf '%-12s %10s  n/a (exit %s)\n' "$name" "$(fsize "$src")" "${A_RC[0]}"
                continue
            fi
            printf '%-12s %10s %9.3f %9.3f %7s' "$name" "$(fsize "$src")" "${A_T[0]}" "${A_T[1]}" "$(ratio "${A_T[0]}" "${A_T[1]}")"
            if [[ -n $XZ58 ]]; then
                local net58=${A_T[2]} r58 r58p
                r58=$(ratio "${A_T[0]}" "$net58")
                r58p=$(ratio "${A_T[0]}" "$(echo "$net58 $start58" | awk '{printf "%.6f", $1 + $2}')")
                printf ' %9.3f %7s %7s' "$net58" "$r58" "$r58p"
                sum_58=$(echo "$sum_58 $net58" | awk '{printf "%.6f", $1 + $2}')
                if awk -v a="$r58" -v b="$worst58" 'BEGIN {exit !(a > b)}'; then worst58=$r58 worstname=$name; fi
                if awk -v a="$r58p" -v b="$worst58p" 'BEGIN {exit !(a > b)}'; then worst58p=$r58p worstnamep=$name; fi
            fi
            printf '  %s\n' "$check"
            [[ $check == FAIL ]] && echo "FAIL: decode $name ($mode): output SHA-1 differs from the original"
            sum_o=$(echo "$sum_o ${A_T[0]}" | awk '{printf "%.6f", $1 + $2}')
            sum_r=$(echo "$sum_r ${A_T[1]}" | awk '{printf "%.6f", $1 + $2}')
            n_ok=$((n_ok + 1))
        done
        hr 88
        printf '%-12s %10s %9.3f %9.3f %7s' TOTAL "" "$sum_o" "$sum_r" "$(ratio "$sum_o" "$sum_r")"
        [[ -z $XZ58 ]] || printf ' %9.3f %7s %7s' "$sum_58" "$(ratio "$sum_o" "$sum_58")" \
            "$(ratio "$sum_o" "$(echo "$sum_58 $start58 $n_ok" | awk '{printf "%.6f", $1 + $2 * $3}')")"
        printf '   (sum of medians, %d files)\n' "$n_ok"
        [[ -z $XZ58 ]] || printf '   worst file vs liblzma 5.8.1: %s %s; with its start-up: %s %s\n' \
            "$worstname" "$worst58" "$worstnamep" "$worst58p"
    done
}

# --- sha1 ---------------------------------------------------------------------
bench_sha1() {
    echo
    echo "== sha1: ours --sha1 FILE vs sha1sum FILE =="
    local big="$TMP/corpus.cat" name
    for name in "${NAMES[@]}"; do cat "$CORPUS/$name"; done >"$big"
    local mb
    mb=$(awk -v b="$(fsize "$big")" 'BEGIN {printf "%.1f", b / 1048576}')
    alternate "$TMP/s1" "$TMP/s2" -- "${OURS_CMD[@]}" --sha1 "$big" -- sha1sum "$big"
    if ((O_RC != 0)); then
        echo "sha1 ($mb MiB): n/a (exit $O_RC) $O_ERR"
        return
    fi
    local check=ok
    if [[ "$(head -1 "$TMP/s1")" != "$(head -1 "$TMP/s2")" ]]; then
        check=FAIL
        FAILS=$((FAILS + 1))
        echo "FAIL: sha1: ours printed '$(head -1 "$TMP/s1")', sha1sum printed '$(head -1 "$TMP/s2")'"
    fi
    printf '%-10s %8s %9s %9s %9s %9s  %s\n' input MiB ours_s sha1sum_s speed ours_MiB/s check
    printf '%-10s %8s %9.3f %9.3f %9s %9s  %s\n' corpus.cat "$mb" "$O_T" "$R_T" "$(ratio "$R_T" "$O_T")" \
        "$(awk -v m="$mb" -v t="$O_T" 'BEGIN {printf "%.0f", m / t}')" "$check"
    echo "(speed = time_sha1sum / time_ours: > 1 means ours is faster)"
}

# --- encode / xz ------------------------------------------------------------------
# bench_encode FORMAT PRESETS: FORMAT is lzma or xz.
bench_encode() {
    local fmt=$1 presets=$2
    local -a ours_fmt ref_fmt
    if [[ $fmt == lzma ]]; then
        ours_fmt=(-F lzma) ref_fmt=(--format=lzma)
    else
        ours_fmt=(-F xz) ref_fmt=()
    fi
    echo
    echo "== $fmt encode: ours -z -T1 ${ours_fmt[*]} -P -c F vs xz -T1 ${ref_fmt[*]:+${ref_fmt[*]} }-P -c F =="
    printf '%-12s %-6s %10s %10s %7s %9s %9s %7s %7s  %s\n' file preset ours_B xz_B s_ratio ours_s xz_s t_ratio m_ratio interop
    hr 100
    local p name
    for p in $presets; do
        local so=0 sr=0 to=0 tr=0 mo=0 mr=0 n=0
        for name in "${NAMES[@]}"; do
            local src="$CORPUS/$name" o1="$TMP/out1" o2="$TMP/out2"
            alternate "$o1" "$o2" -- "${OURS_CMD[@]}" -z -T1 "${ours_fmt[@]}" "-$p" -c "$src" \
                -- xz -T1 "${ref_fmt[@]}" "-$p" -c "$src"
            if ((O_RC != 0)); then
                printf '%-12s %-6s  n/a (exit %s) %s\n' "$name" "-$p" "$O_RC" "${O_ERR:0:80}"
                continue
            fi
            if ((R_RC != 0)); then
                printf '%-12s %-6s  xz failed (exit %s) %s\n' "$name" "-$p" "$R_RC" "${R_ERR:0:80}"
                continue
            fi
            # Interop: xz must read our output, and so must we.
            local want interop=ok
            want=$(orig_sha "$name")
            if [[ "$(xz -dc "$o1" 2>/dev/null | sha1)" != "$want" ]]; then
                interop=FAIL
                echo "FAIL: $fmt -$p $name: xz -dc of our output does not give the original"
            fi
            if [[ "$("${OURS_CMD[@]}" -dc "$o1" 2>/dev/null | sha1)" != "$want" ]]; then
                interop=FAIL
                echo "FAIL: $fmt -$p $name: ours -dc of our output does not give the original"
            fi
            if [[ $fmt == xz ]] && ! xz -t "$o1" 2>/dev/null; then
                interop=FAIL
                echo "FAIL: $fmt -$p $name: xz -t rejects our output"
            fi
            [[ $interop == FAIL ]] && FAILS=$((FAILS + 1))
            local bo br
            bo=$(fsize "$o1") br=$(fsize "$o2")
            printf '%-12s %-6s %10s %10s %7s %9.3f %9.3f %7s %7s  %s\n' "$name" "-$p" "$bo" "$br" \
                "$(ratio "$bo" "$br")" "$O_T" "$R_T" "$(ratio "$O_T" "$R_T")" "$(ratio "$O_KB" "$R_KB")" "$interop"
            so=$((so + bo)) sr=$((sr + br)) n=$((n + 1))
            to=$(echo "$to $O_T" | awk '{printf "%.6f", $1 + $2}')
            tr=$(echo "$tr $R_T" | awk '{printf "%.6f", $1 + $2}')
            ((O_KB > mo)) && mo=$O_KB
            ((R_KB > mr)) && mr=$R_KB
        done
        if ((n > 0)); then
            printf '%-12s %-6s %10s %10s %7s %9.3f %9.3f %7s %7s  (%d files; mem = max/max)\n' TOTAL "-$p" "$so" "$sr" \
                "$(ratio "$so" "$sr")" "$to" "$tr" "$(ratio "$to" "$tr")" "$(ratio "$mo" "$mr")" "$n"
        fi
        hr 100
    done
}

# --- mt -----------------------------------------------------------------------
# Parallel .xz: -T2 compression of a mixed input (the corpus files
# concatenated) against xz -T2 (the bytes must be the same) and against our
# own -T1; -T2 decoding of a file xz -T2 -3 made, against xz -T2 -d.
bench_mt() {
    local size=${MT_SIZE:-40000000} presets=${MT_PRESETS:-"1 3"}
    local big="$TMP/mixed" name
    for name in "${NAMES[@]}"; do cat "$CORPUS/$name"; done | head -c "$size" >"$big"
    local mb
    mb=$(awk -v b="$(fsize "$big")" 'BEGIN {printf "%.1f", b / 1048576}')
    echo
    echo "== mt: -T2 on $mb MiB of concatenated corpus files ($(nproc) processors; wall time, medians of $RUNS alternating runs) =="
    [[ -z $XZ58 ]] || echo "   and vs liblzma 5.8.1 ($XZ58 -T2, its start-up on an empty file subtracted)"
    printf '%-22s %9s %9s %9s %8s %8s %9s %9s  %s' command ours_T2_s xz_T2_s ours_T1_s vs_xz T1/T2 ours_KiB xz_KiB check
    [[ -z $XZ58 ]] || printf ' %9s %7s' xz58_s vs_58
    printf '\n'
    hr 122
    local start58=0
    if [[ -n $XZ58 ]]; then
        xz -c /dev/null >"$TMP/empty.xz"
        local st=() r
        for ((r = 0; r < RUNS; r++)); do measure /dev/null "$XZ58" -d "$TMP/empty.xz"; st+=("$M_T"); done
        start58=$(printf '%s\n' "${st[@]}" | median)
    fi
    # mt58 ARGS...: after a row's own columns, liblzma 5.8.1 with the same
    # arguments (alternating with ours, OURS_ARGS), its time and our ratio.
    mt58() {
        [[ -n $XZ58 ]] || { printf '\n'; return; }
        alternate /dev/null "$TMP/o58" -- "${OURS_CMD[@]}" "${OURS_ARGS[@]}" -- "$XZ58" "$@"
        if ((R_RC != 0)); then printf '  n/a (exit %s)\n' "$R_RC"; return; fi
        local net
        net=$(awk -v a="$R_T" -v b="$start58" 'BEGIN {v = a - b; if (v < 0.0005) v = 0.0005; printf "%.6f", v}')
        printf ' %9.3f %7s\n' "$net" "$(ratio "$O_T" "$net")"
    }
    local p
    for p in $presets; do
        local o1="$TMP/mt1" o2="$TMP/mt2" check=ok
        alternate "$o1" "$o2" -- "${OURS_CMD[@]}" -T2 "-$p" -c "$big" -- xz -T2 "-$p" -c "$big"
        if ((O_RC != 0 || R_RC != 0)); then
            echo "-T2 -$p: n/a (exit $O_RC/$R_RC) $O_ERR $R_ERR"
            continue
        fi
        local t2=$O_T x2=$R_T k2=$O_KB xk=$R_KB
        cmp -s "$o1" "$o2" || { check=FAIL; FAILS=$((FAILS + 1)); echo "FAIL: mt -T2 -$p: our output differs from xz -T2's"; }
        alternate /dev/null /dev/null -- "${OURS_CMD[@]}" -T1 "-$p" -c "$big" -- "${OURS_CMD[@]}" -T2 "-$p" -c "$big"
        # Each ratio from its own alternating series.
        printf '%-22s %9.3f %9.3f %9.3f %8s %8s %9s %9s  %s' "-z -T2 -$p" "$t2" "$x2" "$O_T" \
            "$(ratio "$t2" "$x2")" "$(ratio "$O_T" "$R_T")" "$k2" "$xk" "$check"
        OURS_ARGS=(-T2 "-$p" -c "$big")
        mt58 -z -T2 "-$p" "$big"
        [[ -z $XZ58 ]] || cmp -s "$o1" "$TMP/o58" || { FAILS=$((FAILS + 1)); echo "FAIL: mt -T2 -$p: our output differs from liblzma 5.8.1's -T2"; }
    done
    local z="$TMP/mt.xz" check=ok
    xz -T2 -3 -c "$big" >"$z"
    local blocks
    blocks=$(xz --robot -l "$z" | awk '$1 == "totals" {print $3}')
    alternate "$TMP/d1" "$TMP/d2" -- "${OURS_CMD[@]}" -T2 -dc "$z" -- xz -T2 -dc "$z"
    if ((O_RC != 0)); then
        echo "-T2 -d: n/a (exit $O_RC) $O_ERR"
    else
        local t2=$O_T x2=$R_T k2=$O_KB xk=$R_KB
        cmp -s "$TMP/d1" "$big" || { check=FAIL; FAILS=$((FAILS + 1)); echo "FAIL: mt -T2 -d: output differs from the input"; }
        alternate /dev/null /dev/null -- "${OURS_CMD[@]}" -T1 -dc "$z" -- "${OURS_CMD[@]}" -T2 -dc "$z"
        printf '%-22s %9.3f %9.3f %9.3f %8s %8s %9s %9s  %s' "-d -T2 ($blocks blocks)" "$t2" "$x2" "$O_T" \
            "$(ratio "$t2" "$x2")" "$(ratio "$O_T" "$R_T")" "$k2" "$xk" "$check"
        OURS_ARGS=(-T2 -dc "$z")
        mt58 -d -T2 "$z"
    fi
    hr 122
    echo "(vs_xz = ours -T2 / xz -T2, target <= 1.00; T1/T2 = ours -T1 / ours -T2, target >= 1.7 for -z; vs_58 = ours / liblzma 5.8.1 -T2, from its own alternating series)"
}

# --- seek ---------------------------------------------------------------------
# Random access: SEEK_SIZE bytes of concatenated corpus files, compressed by
# xz -T1 --block-size=1MiB (cached), read SEEK_LEN bytes at a time through
# ours -dc --range=START:LEN at the start and at the end of the data; the
# two alternate run by run. Reading at the end must cost at most 2x reading
# at the start (only the blocks that hold the range are decoded: at the end
# the whole last block, at the start the first LEN bytes of the first). The
# whole file's -dc (ours vs xz) is shown for scale.
bench_seek() {
    local size=${SEEK_SIZE:-41943040} len=${SEEK_LEN:-100000}
    local RUNS=${SEEK_RUNS:-9}  # seen by `alternate`
    local big="$TMP/seek" name
    for name in "${NAMES[@]}"; do cat "$CORPUS/$name"; done | head -c "$size" >"$big"
    mkdir -p "$CACHE"
    local z="$CACHE/seek-$size.xz" key
    key="$(sha1 <"$big") xz -T1 --block-size=1MiB"
    if [[ ! -s "$z" || "$(cat "$z.key" 2>/dev/null)" != "$key" ]]; then
        xz -T1 --block-size=1MiB -c "$big" >"$z" && echo "$key" >"$z.key"
    fi
    local total blocks mb last
    total=$(fsize "$big")
    last=$((total > len ? total - len : 0))
    blocks=$(xz --robot -l "$z" | awk '$1 == "totals" {print $3}')
    mb=$(awk -v b="$total" 'BEGIN {printf "%.1f", b / 1048576}')
    echo
    echo "== seek: ours -dc --range=START:$len on $mb MiB in $blocks blocks (xz -T1 --block-size=1MiB; medians of $RUNS alternating runs) =="
    printf '%-26s %9s %9s %8s %9s %9s  %s\n' read start_s end_s end/start start_KiB end_KiB check
    hr 84
    local check=ok
    alternate "$TMP/r1" "$TMP/r2" -- "${OURS_CMD[@]}" -dc "--range=0:$len" "$z" -- "${OURS_CMD[@]}" -dc "--range=$last:$len" "$z"
    if ((O_RC != 0 || R_RC != 0)); then
        echo "--range: n/a (exit $O_RC/$R_RC) $O_ERR $R_ERR"
        return
    fi
    if ! cmp -s "$TMP/r1" <(head -c "$len" "$big") || ! cmp -s "$TMP/r2" <(tail -c +$((last + 1)) "$big"); then
        check=FAIL
        FAILS=$((FAILS + 1))
        echo "FAIL: seek: the bytes of --range differ from the original's"
    fi
    local r
    r=$(ratio "$R_T" "$O_T")
    if awk -v r="$r" 'BEGIN {exit !(r > 2)}'; then
        check="$check, end/start > 2: FAIL"
        FAILS=$((FAILS + 1))
    fi
    printf '%-26s %9.4f %9.4f %8s %9s %9s  %s\n' "--range=START:$len" "$O_T" "$R_T" "$r" "$O_KB" "$R_KB" "$check"
    alternate /dev/null /dev/null -- "${OURS_CMD[@]}" -T1 -dc "$z" -- xz -T1 -dc "$z"
    printf '%-26s %9.4f %9.4f %8s   (ours, xz: the whole file, for scale)\n' "-T1 -dc (all $blocks blocks)" "$O_T" "$R_T" "$(ratio "$O_T" "$R_T")"
    hr 84
    echo "(end/start = time to read the last $len bytes / the first $len bytes, target <= 2)"
}

# --- roundtrip -----------------------------------------------------------------
# The original workflow: `ours --roundtrip FILE` (compress as a stream, to
# a temporary file, decompress it as a stream, compare SHA-1s) against the
# same workflow written with pyLZMA (the LZMA SDK; Scripts/roundtrip-pylzma.py,
# its match finder on a second thread); FILE = ROUNDTRIP_SIZE bytes (default
# 12000000) of concatenated corpus files. Then one-stream compression with
# the match finder on its own thread: ours -T2 -F lzma against ours -T1 (the
# bytes must be equal) and against xz -F lzma.
bench_roundtrip() {
    local size=${ROUNDTRIP_SIZE:-12000000}
    local big="$TMP/roundtrip" name
    for name in "${NAMES[@]}"; do cat "$CORPUS/$name"; done | head -c "$size" >"$big"
    local mb
    mb=$(awk -v b="$(fsize "$big")" 'BEGIN {printf "%.1f", b / 1048576}')
    echo
    echo "== roundtrip: $mb MiB of concatenated corpus files ($(nproc) processors; wall time, medians of $RUNS alternating runs) =="
    printf '%-34s %9s %9s %8s %9s %9s  %s\n' command ours_s ref_s ratio ours_KiB ref_KiB check
    hr 96
    if python3 -c 'import pylzma' 2>/dev/null; then
        alternate "$TMP/rt1" "$TMP/rt2" -- "${OURS_CMD[@]}" --roundtrip "$big" -- python3 "$ROOT/Scripts/roundtrip-pylzma.py" "$big"
        local check=ok
        if ((O_RC != 0 || R_RC != 0)); then
            echo "--roundtrip: n/a (exit $O_RC/$R_RC) $O_ERR $R_ERR"
        else
            tail -1 "$TMP/rt1" | grep -qx OK && tail -1 "$TMP/rt2" | grep -qx OK || { check=FAIL; FAILS=$((FAILS + 1)); }
            printf '%-34s %9.3f %9.3f %8s %9s %9s  %s\n' "--roundtrip vs pyLZMA" "$O_T" "$R_T" "$(ratio "$O_T" "$R_T")" \
                "$O_KB" "$R_KB" "$check"
        fi
    else
        echo "--roundtrip vs pyLZMA: skipped (pip install pylzma)"
    fi
    local p
    for p in ${ROUNDTRIP_PRESETS:-"6"}; do
        local check=ok
        alternate "$TMP/l2" "$TMP/l1" -- "${OURS_CMD[@]}" -T2 "-$p" -F lzma -c "$big" -- "${OURS_CMD[@]}" -T1 "-$p" -F lzma -c "$big"
        local t2=$O_T t1=$R_T k2=$O_KB k1=$R_KB
        cmp -s "$TMP/l1" "$TMP/l2" || { check=FAIL; FAILS=$((FAILS + 1)); echo "FAIL: -T2 -F lzma -$p differs from -T1"; }
        printf '%-34s %9.3f %9.3f %8s %9s %9s  %s\n' "-F lzma -$p: ours -T2 vs ours -T1" "$t2" "$t1" "$(ratio "$t2" "$t1")" "$k2" "$k1" "$check"
        alternate /dev/null "$TMP/lx" -- "${OURS_CMD[@]}" -T2 "-$p" -F lzma -c "$big" -- xz "-$p" -F lzma -c "$big"
        check=ok
        cmp -s "$TMP/l1" "$TMP/lx" || { check=FAIL; FAILS=$((FAILS + 1)); echo "FAIL: -F lzma -$p differs from xz's"; }
        printf '%-34s %9.3f %9.3f %8s %9s %9s  %s\n' "-F lzma -$p: ours -T2 vs xz" "$O_T" "$R_T" "$(ratio "$O_T" "$R_T")" "$O_KB" "$R_KB" "$check"
    done
    hr 96
    echo "(ratio = ours / reference; target <= 1.00 for --roundtrip vs pyLZMA)"
}

# The encoder's working memory: peak RSS of `-T1 -P -c FILE` minus the same
# binary's `--version` peak (that takes off the runtime's fixed pages), ours
# against xz's, medians of RUNS (at least 5). Code pages count: a touched code
# page maps its whole 64 KiB fault-around window. So our binary is first
# dropped from the page cache (posix_fadvise DONTNEED) and read back by one
# run: a binary just written by the linker sits in the cache in other pieces
# and measured up to 0.8 MB more, for both the run and --version, at random.
# (liblzma 5.8.1 runs inside Python here, whose start-up swamps this.)
bench_workmem() {
    local file=$CORPUS/${WORKMEM_FILE:-dickens} runs=$RUNS p
    ((runs < 5)) && runs=5
    [[ -x /usr/bin/time ]] || { echo "workmem: needs GNU time (/usr/bin/time)"; return; }
    [[ -f "$file" ]] || { echo "workmem: $file missing"; return; }
    peak() { local i; for ((i = 0; i < runs; i++)); do /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; done | median; }
    local bin
    bin=$(command -v "${OURS_CMD[0]}")
    python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$bin"
    "${OURS_CMD[@]}" -T1 -0 -c "$file" >/dev/null
    "${OURS_CMD[@]}" --version >/dev/null
    echo
    echo "== encoder working memory (KiB): peak RSS of -T1 -P -c $(basename "$file") minus --version's; median of $runs =="
    printf '%-6s %10s %10s %10s %10s %10s %10s %8s
' preset ours ours-ver ours-work xz xz-ver xz-work ratio
    hr 80
    local ov xv
    ov=$(peak "${OURS_CMD[@]}" --version)
    xv=$(peak xz --version)
    local presets=${WORKMEM_PRESETS:-0 6 9}
    for p in $presets; do
        local oc xc
        oc=$(peak "${OURS_CMD[@]}" -T1 "-$p" -c "$file")
        xc=$(peak xz -T1 "-$p" -c "$file")
        printf '%-6s %10s %10s %10s %10s %10s %10s %8s
' "-$p" "$oc" "$ov" $((oc - ov)) "$xc" "$xv" $((xc - xv)) \
            "$(ratio $((oc - ov)) $((xc - xv)))"
    done
    hr 80
    echo "(ratio = ours / xz 5.4; target <= 1.15)"
}

want decode && bench_decode
want workmem && bench_workmem
want sha1 && bench_sha1
want encode && bench_encode lzma "$PRESETS"
want xz && bench_encode xz "$XZ_PRESETS"
want mt && bench_mt
want roundtrip && bench_roundtrip
want seek && bench_seek

echo
if ((FAILS)); then
    echo "bench: $FAILS FAIL(s)"
    exit 1
fi
echo "bench: done, no failures"
