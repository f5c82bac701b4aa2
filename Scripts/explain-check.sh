#!/usr/bin/env bash
# Renders `swiftlzma --explain` pages in headless Chromium and checks them:
# the page loads without script errors or console errors, has one span per
# symbol of `swiftlzma --trace` (same file), and hovering a copy lights up
# its source. Saves a screenshot of each page. Skips (exit 0) without
# Chromium. Usage: Scripts/explain-check.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
browser=""
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ]; then
    echo "explain-check: Chromium is not installed (apt-get install chromium); skipped"
    exit 0
fi
out=${1:-$(mktemp -d)}
mkdir -p "$out"
# SWIFTLZMA=path/to/swiftlzma uses that binary instead of a release build.
if [ -n "${SWIFTLZMA:-}" ]; then
    bin=$SWIFTLZMA
else
    swift build -c release --product swiftlzma >/dev/null
    bin=$(swift build -c release --show-bin-path)/swiftlzma
fi

# Samples: text (the README, compressed as .lzma by xz when it is there) and
# mixed binary as .xz with two blocks, a stored chunk and a filter.
cp README.md "$out/sample.txt"
"$bin" -z -k -c --format=lzma "$out/sample.txt" > "$out/text.lzma"
python3 - "$out/mixed.bin" <<'PY'
import random, sys
r = random.Random(14)
words = [b"range ", b"coder ", b"literal ", b"match ", b"\x00\x01\x02\x03", b"state ", b"\n"]
data = b"".join(r.choice(words) for _ in range(6000)) + bytes(r.getrandbits(8) for _ in range(70000))
data += bytes((i * 7) & 0xFF for i in range(8000))
open(sys.argv[1], "wb").write(data)
PY
"$bin" -z -k -c -T1 --block-size=60000 --delta=dist=2 --lzma2=preset=6 "$out/mixed.bin" > "$out/mixed.xz"

fail=0
for f in text.lzma mixed.xz; do
    page="$out/${f%.*}.html"
    "$bin" --explain "$out/$f" > "$page"
    symbols=$("$bin" --trace "$out/$f" | grep -vc '^#')
    dom="$out/${f%.*}.dom.html"
    "$browser" --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 --virtual-time-budget=5000 \
        --dump-dom "file://$(realpath "$page")#selftest" > "$dom" 2> "$out/${f%.*}.console.log" || true
    "$browser" --headless --no-sandbox --disable-gpu --window-size=1280,1600 \
        --screenshot="$out/${f%.*}.png" "file://$(realpath "$page")" >/dev/null 2>&1 || true
    python3 - "$dom" "$symbols" "$out/${f%.*}.console.log" "$f" <<'PY' || fail=1
import html, json, re, sys
dom, symbols, log, name = open(sys.argv[1]).read(), int(sys.argv[2]), open(sys.argv[3]).read(), sys.argv[4]
body = re.search(r"<body([^>]*)>", dom)
attrs = dict(re.findall(r'data-([a-z]+)="([^"]*)"', body.group(1))) if body else {}
spans = len(re.findall(r'<span class="sym[ "]', dom))
problems = []
if attrs.get("ready") != "1": problems.append("the page script did not finish")
if "errors" in attrs: problems.append("script errors: " + html.unescape(attrs["errors"]))
if spans != symbols: problems.append(f"{spans} spans, the trace has {symbols} symbols")
if attrs.get("symbols") != str(symbols): problems.append(f"the script counted {attrs.get('symbols')} spans")
console = [l for l in log.splitlines() if "CONSOLE" in l and ("ERROR" in l or "Uncaught" in l)]
if console: problems.append("console errors: " + "; ".join(console[:3]))
st = json.loads(html.unescape(attrs.get("selftest", "{}")) or "{}")
if not st.get("sources"): problems.append(f"hovering a copy lit up no source: {st}")
if problems:
    print(f"explain-check: {name}: FAIL: " + "; ".join(problems))
    sys.exit(1)
print(f"explain-check: {name}: OK: {spans} spans = {symbols} trace symbols; hover: {st.get('tip')} ({st.get('sources')} source spans lit)")
PY
done
echo "explain-check: pages, DOM dumps and screenshots in $out"
exit $fail
