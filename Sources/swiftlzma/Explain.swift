// `--explain`: one self-contained HTML page (no network, no external
// scripts or fonts) that shows what LZMA did with a file: the data with
// every symbol as a span coloured by kind and shaded by its cost, the
// source of a match highlighted on hover, the container structure, a chart
// of bits per kind and a legend. Built from the same trace as `--trace`.

import LZMA

/// Collects the trace of one file for the page, up to `limit` output bytes.
final class ExplainCollector {
    let limit: UInt64
    /// The output so far (at most `limit` bytes), rebuilt from the trace.
    private(set) var data: [UInt8] = []
    /// Per symbol shown: start, length, distance, kind index, bits.
    private(set) var spans: [(pos: UInt64, len: Int, dist: UInt64, kind: Int, bits: Double)] = []
    private(set) var structure: [String] = []
    var summary = TraceSummary()
    /// Output bytes the trace described in all (also past the limit).
    private(set) var total: UInt64 = 0
    static let maxStructureLines = 2000

    init(limit: UInt64) { self.limit = limit }

    func add(_ e: LZMATraceEvent) {
        summary.add(e)
        switch e {
        case .structure(let pos, let offset, let text):
            if structure.count < ExplainCollector.maxStructureLines {
                structure.append("@\(pos)" + (offset.map { " (input offset \($0))" } ?? "") + ": " + text)
            }
        case .symbol(let s):
            total = s.position + UInt64(s.length)
            guard s.position < limit || (s.kind == .endMarker && s.position == limit && UInt64(data.count) == limit) else { return }
            let kind = LZMATraceSymbol.Kind.allCases.firstIndex(of: s.kind)!
            spans.append((s.position, s.length, s.distance, kind, s.bits))
            if s.kind == .literal {
                data.append(s.byte)
            } else {
                for _ in 0..<s.length { data.append(data[data.count - Int(s.distance)]) }
            }
        case .stored(let pos, let bytes):
            total = pos + UInt64(bytes.count)
            guard pos < limit else { return }
            spans.append((pos, bytes.count, 0, TraceSummary.kinds.count - 1, Double(bytes.count * 8)))
            data += bytes
        }
    }
}

/// HTML text escaping.
func htmlEscape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for c in s.unicodeScalars {
        switch c {
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "&": out += "&amp;"
        case "\"": out += "&quot;"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}

/// True when the data reads as text (printable ASCII, whitespace, UTF-8).
func looksLikeText(_ data: [UInt8]) -> Bool {
    guard !data.isEmpty else { return true }
    let sample = data.prefix(1 << 16)
    let odd = sample.filter { b in b < 0x09 || (b > 0x0D && b < 0x20) || b == 0x7F }.count
    return odd * 100 <= sample.count
}

/// Colours per kind, in `TraceSummary.kinds` order.
private let kindColours = ["#d9534f", "#337ab7", "#2e9d52", "#17a2b8", "#6f42c1", "#a05a2c", "#e0a800", "#000000", "#7f7f7f"]
private let kindMeaning = [
    "literal: one byte coded on its own",
    "match: a copy with a new distance",
    "rep0: a copy with the last distance",
    "rep1: a copy with the second-last distance",
    "rep2: a copy with the third-last distance",
    "rep3: a copy with the fourth-last distance",
    "short rep: one byte from the last distance",
    "end-of-payload marker",
    "stored: an uncompressed LZMA2 chunk",
]

/// The page for one file.
func explainPage(name: String, collector c: ExplainCollector, encoder: Bool) -> String {
    let text = looksLikeText(c.data)
    var h = """
    <!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8">
    <title>What LZMA did: \(htmlEscape(name))</title>
    <style>
    body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.2em;color:#222}
    h1{font-size:1.3em;margin:0 0 .3em} h2{font-size:1.05em;margin:1em 0 .3em}
    #data{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px;line-height:1.45;
      white-space:pre-wrap;word-break:break-all;border:1px solid #ccc;padding:.6em;background:#fff}
    #data span.sym{box-shadow:inset -1px 0 0 rgba(255,255,255,.9)}
    #data span.src{outline:2px solid #ff9800;background:#ffe0a0 !important}
    #data span.cur{outline:2px solid #222}
    .legend span.sw{display:inline-block;width:1em;height:1em;vertical-align:middle;margin-right:.3em;border-radius:2px}
    .legend div{margin:.1em 0}
    #tip{position:fixed;pointer-events:none;background:#222;color:#fff;padding:.3em .5em;border-radius:4px;
      font-size:12px;display:none;white-space:nowrap}
    table.chart td{padding:1px 6px;font-size:13px} .bar{height:12px;display:inline-block;vertical-align:middle}
    details{margin:.4em 0} pre.structure{font-size:12px;max-height:16em;overflow:auto;background:#f6f6f6;padding:.5em}
    </style></head><body>
    <h1>What LZMA did: \(htmlEscape(name))</h1>

    """
    let shown = UInt64(c.data.count)
    h += "<p>\(encoder ? "Encoder" : "Decoder") trace: \(c.summary.symbols.reduce(0, +)) symbols for \(c.total) bytes, "
    h += "\(twoDecimals(c.summary.bits.reduce(0, +) / 8)) bytes of coded symbols. "
    if shown < c.total {
        h += "<strong>The page shows the first \(shown) of \(c.total) bytes</strong> (<code>--explain-max</code> sets how many). "
    }
    h += "Each symbol is a box coloured by its kind and shaded by its cost in bits per byte (pale: cheap, strong: costly). "
    h += "Hover over a copy to see where it copies from.</p>\n"

    // Chart of bits per kind.
    h += "<h2>Bits per kind</h2><table class=\"chart\">"
    let maxBits = max(c.summary.bits.max() ?? 1, 1)
    for (i, name) in TraceSummary.kinds.enumerated() where c.summary.symbols[i] > 0 {
        let width = Int(c.summary.bits[i] / maxBits * 320)
        let perByte = c.summary.bytes[i] == 0 ? 0 : c.summary.bits[i] / Double(c.summary.bytes[i])
        h += "<tr><td>\(name)</td><td><span class=\"bar\" style=\"width:\(max(width, 1))px;background:\(kindColours[i])\"></span></td>"
        h += "<td>\(twoDecimals(c.summary.bits[i])) bits</td><td>\(c.summary.symbols[i]) symbols</td>"
        h += "<td>\(c.summary.bytes[i]) bytes</td><td>\(twoDecimals(perByte)) bits/byte</td></tr>"
    }
    h += "</table>\n"

    // Legend.
    h += "<h2>Legend</h2><div class=\"legend\">"
    for (i, name) in TraceSummary.kinds.enumerated() {
        h += "<div><span class=\"sw\" style=\"background:\(kindColours[i])\"></span><b>\(name)</b> \(kindMeaning[i])</div>"
    }
    h += "</div>\n"

    // Structure.
    h += "<details open><summary>Container structure (\(c.structure.count) lines)</summary><pre class=\"structure\">"
    for l in c.structure { h += htmlEscape(l) + "\n" }
    h += "</pre></details>\n"

    // The data, one span per symbol.
    h += "<h2>The data\(text ? "" : " (binary: hex, 16 bytes a row)")</h2><div id=\"data\">"
    for (i, s) in c.spans.enumerated() {
        let start = Int(s.pos)
        let end = min(start + s.len, c.data.count)
        let perByte = s.len == 0 ? 0 : s.bits / Double(s.len)
        // Shade: 0 bits/byte pale, 8 or more full strength.
        let alpha = Int(min(1, max(0.08, perByte / 8)) * 255)
        let colour = kindColours[s.kind] + (alpha < 16 ? "0" : "") + String(alpha, radix: 16)
        h += "<span class=\"sym\" data-i=\"\(i)\" style=\"background:\(colour)\">"
        if text {
            h += htmlEscape(String(decoding: c.data[start..<end], as: UTF8.self))
        } else {
            var piece = ""
            for p in start..<end {
                piece += hexString(CollectionOfOne(c.data[p]))
                piece += p % 16 == 15 ? "\n" : " "
            }
            h += piece
        }
        h += "</span>"
    }
    h += "</div>\n<div id=\"tip\"></div>\n"

    // The symbols for the script: [pos, len, dist, kind, bits] each.
    h += "<script>\nwindow.addEventListener('error',function(e){document.body.dataset.errors=(document.body.dataset.errors||'')+e.message+';';});\n"
    h += "const KINDS=[" + TraceSummary.kinds.map { "\"\($0)\"" }.joined(separator: ",") + "];\nconst S=["
    var first = true
    for s in c.spans {
        if !first { h += "," }
        first = false
        h += "[\(s.pos),\(s.len),\(s.dist),\(s.kind),\(twoDecimals(s.bits))]"
    }
    h += "];\n"
    h += """
    (function(){
      const spans=document.querySelectorAll('#data span.sym');
      const tip=document.getElementById('tip');
      let lit=[];
      function first(pos){let lo=0,hi=S.length-1;while(lo<hi){const m=(lo+hi+1)>>1;if(S[m][0]<=pos)lo=m;else hi=m-1;}return lo;}
      function clear(){for(const e of lit)e.classList.remove('src','cur');lit=[];}
      document.getElementById('data').addEventListener('mouseover',function(ev){
        const t=ev.target.closest('span.sym');if(!t)return;clear();
        const i=+t.dataset.i,s=S[i];t.classList.add('cur');lit.push(t);
        let what=KINDS[s[3]]+': '+s[1]+' byte'+(s[1]==1?'':'s');
        if(s[2]>0){what+=', distance '+s[2];
          const from=s[0]-s[2],to=from+s[1];
          for(let j=first(from);j<S.length&&S[j][0]<to;j++){if(j!==i){spans[j].classList.add('src');lit.push(spans[j]);}}
          what+=' (copies from '+from+')';}
        what+=', '+s[4].toFixed(2)+' bits'+(s[1]>0?' ('+(s[4]/s[1]).toFixed(2)+' bits/byte)':'')+', at '+s[0];
        tip.textContent=what;tip.style.display='block';
      });
      document.getElementById('data').addEventListener('mousemove',function(ev){tip.style.left=(ev.clientX+14)+'px';tip.style.top=(ev.clientY+14)+'px';});
      document.getElementById('data').addEventListener('mouseleave',function(){clear();tip.style.display='none';});
      document.body.dataset.symbols=String(spans.length);
      // #selftest (Scripts/explain-check.sh): hover the first copy, note what lit up.
      if(location.hash==='#selftest'){
        let k=S.findIndex(s=>s[3]===1&&s[1]>=4);if(k<0)k=S.findIndex(s=>s[2]>0);
        if(k>=0){spans[k].dispatchEvent(new MouseEvent('mouseover',{bubbles:true}));
          document.body.dataset.selftest=JSON.stringify({symbol:k,sources:document.querySelectorAll('#data span.src').length,tip:tip.textContent});}
      }
      document.body.dataset.ready='1';
    })();
    </script>
    </body></html>

    """
    return h
}

/// `--explain`: the page of each file on standard output.
func runExplain(_ context: RunContext) {
    let out = TraceOutput()
    for path in context.options.files {
        let c = ExplainCollector(limit: context.options.explainMax)
        var opened = false
        _ = traceFile(path, context: context, opened: { opened = true }) { c.add($0) }
        guard opened else { continue }
        out.line(explainPage(name: displayName(path), collector: c, encoder: context.options.operation == .compress))
        out.flush()
        if out.failed { break }
    }
}
