import test from 'ava';
import { paperMacs, paperParams } from './format.js';
import { csvField, escapeHtml, escapeLatex, jsonForScript } from './escape.js';
import { paretoFront } from './figures.js';

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

test('user text is escaped for HTML, LaTeX, CSV and JSON inside a script element', (t) => {
  t.is(escapeHtml('<img src=x onerror=alert(1)>'), '&lt;img src=x onerror=alert(1)&gt;');
  t.is(escapeHtml(`"a" & 'b'`), '&quot;a&quot; &amp; &#39;b&#39;');
  t.is(escapeLatex('my_study 100% #1 {x} a&b'), 'my\\_study 100\\% \\#1 \\{x\\} a\\&b');
  t.is(csvField('a,"b"'), '"a,""b"""');
  t.is(csvField('plain'), 'plain');
  const json = jsonForScript({ d: '</script><script>alert(1)</script><!--' });
  t.false(json.includes('<'));
  t.deepEqual(JSON.parse(json), { d: '</script><script>alert(1)</script><!--' });
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
