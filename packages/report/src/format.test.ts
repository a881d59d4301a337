import test from 'ava';
import { paperMacs, paperParams } from './format.js';
import { csvField, escapeHtml, escapeLatex, jsonForScript, latexLabel, markdownCell, plotlyText } from './escape.js';
import { paretoFront, quantile } from './figures.js';

// EfficientNet paper, Table 2 (as printed): B0 5.3M params / 0.39B FLOPs, B3 12M / 1.8B, B6 43M / 19B.
test('counts print as in the paper: two significant digits, M for params, B for multiply-adds', (t) => {
  t.is(paperParams(5_330_571), '5.3M');
  t.is(paperParams(12_320_535), '12M');
  t.is(paperParams(43_265_143), '43M');
  t.is(paperMacs(385_814_752), '0.39B');
  t.is(paperMacs(1.8e9), '1.8B');
  t.is(paperMacs(19e9), '19B');
  t.is(paperMacs(2_470_000), '2.5M');
  t.is(paperParams(208_960), '209K');
  t.is(paperParams(950), '950');
});

test('HTML: tags, quotes and ampersands escaped; control characters dropped', (t) => {
  t.is(escapeHtml('<img src=x onerror=alert(1)>'), '&lt;img src=x onerror=alert(1)&gt;');
  t.is(escapeHtml(`"a" & 'b'`), '&quot;a&quot; &amp; &#39;b&#39;');
  t.is(escapeHtml('a\u0000b\u001b[31mc'), 'ab[31mc');
});

test('JSON inside a script element cannot close it or open a comment', (t) => {
  const json = jsonForScript({ d: '</script><script>alert(1)</script><!--' });
  t.false(json.includes('<'));
  t.deepEqual(JSON.parse(json), { d: '</script><script>alert(1)</script><!--' });
});

test('plotly text: markup and template fields shown literally (a grid id cannot become a link)', (t) => {
  t.is(plotlyText('<a href="https://evil.example/">x</a>'), '&lt;a href="https://evil.example/"&gt;x&lt;/a&gt;');
  t.is(plotlyText('R&D <b>bold</b>'), 'R&amp;D &lt;b&gt;bold&lt;/b&gt;');
  t.is(plotlyText('%{x} and %{y:.2f}'), '%&#123;x} and %&#123;y:.2f}');
  t.is(plotlyText('line\nbreak\u0007'), 'line break');
});

test('LaTeX: every special escaped, so \\input{…} is printed, never run; labels are slugs', (t) => {
  t.is(escapeLatex('my_study 100% #1 {x} a&b'), 'my\\_study 100\\% \\#1 \\{x\\} a\\&b');
  t.is(escapeLatex('\\input{/etc/passwd}'), '\\textbackslash{}input\\{/etc/passwd\\}');
  t.is(escapeLatex('$x^2$ ~ <|>'), '\\$x\\textasciicircum{}2\\$ \\textasciitilde{} \\textless{}\\textbar{}\\textgreater{}');
  t.is(escapeLatex('two\nlines'), 'two lines');
  t.is(latexLabel('tab:x}\\input{/etc/passwd}-trials'), 'tab:x-input-etc-passwd-trials');
  t.is(latexLabel('}{'), 'scalelab');
  t.is(latexLabel('tab:mnist-demo.v2-family'), 'tab:mnist-demo.v2-family');
});

test('CSV (RFC 4180 + OWASP): formula-starting text prefixed with a quote, numbers stay numbers', (t) => {
  t.is(csvField('a,"b"'), '"a,""b"""');
  t.is(csvField('plain'), 'plain');
  for (const formula of ['=HYPERLINK("http://evil","x")', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx']) {
    t.true(csvField(formula).replace(/^"/, '').startsWith("'"), formula);
  }
  t.is(csvField('=1+1'), "'=1+1");
  t.is(csvField(-0.5), '-0.5');
  t.is(csvField(1e-7), '1e-7');
  t.is(csvField(Number.NaN), '');
  t.is(csvField(null), '');
});

test('Markdown cells: pipes, backticks, links, emphasis and HTML shown as written, on one line', (t) => {
  t.is(markdownCell('a|b'), 'a\\|b');
  t.is(markdownCell('`code`'), '\\`code\\`');
  t.is(markdownCell('[x](javascript:alert(1))'), '\\[x\\](javascript:alert(1))');
  t.is(markdownCell('<img src=x>'), '\\<img src=x\\>');
  t.is(markdownCell('*a* _b_'), '\\*a\\* \\_b\\_');
  t.is(markdownCell('two\nlines'), 'two lines');
  t.is(markdownCell('5.3M'), '5.3M');
});

test('the Pareto front keeps exactly the points no cheaper point beats (hand-made set)', (t) => {
  const pts = [
    { c: 1, v: 0.5 }, // front
    { c: 2, v: 0.4 }, // dominated by (1, 0.5)
    { c: 3, v: 0.7 }, // front
    { c: 3, v: 0.6 }, // dominated (same cost, worse)
    { c: 5, v: 0.65 }, // dominated by (3, 0.7)
    { c: 6, v: 0.9 }, // front
  ];
  t.deepEqual(paretoFront(pts, (p) => p.c, (p) => p.v, 'maximize'), [pts[0], pts[2], pts[5]]);
  t.deepEqual(paretoFront(pts, (p) => p.c, (p) => p.v, 'minimize'), [pts[0], pts[1]]);
});

test('quantiles interpolate linearly between order statistics, as numpy.percentile does by default', (t) => {
  // numpy.percentile([1, 2, 3, 4], [10, 50, 90]) → [1.3, 2.5, 3.7]; a single value is every quantile.
  const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-12;
  t.true(close(quantile([1, 2, 3, 4], 0.1), 1.3));
  t.true(close(quantile([1, 2, 3, 4], 0.5), 2.5));
  t.true(close(quantile([1, 2, 3, 4], 0.9), 3.7));
  t.is(quantile([0.7], 0.9), 0.7);
});
