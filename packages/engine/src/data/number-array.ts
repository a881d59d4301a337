/**
 * `{"data": [n, n, …]}` read straight into a Float32Array — the shape of the `mnist` package's digit files. JSON.parse
 * of its 20 MB and 7.8 M numbers takes ~0.6 s, most of a study's start; this scan takes a tenth of that, and every
 * process that trains on MNIST (a coordinator, each `scalelab worker`) pays it once.
 *
 * Each number must be a JSON number. `digits / 10^k` with fewer than 16 significant digits is the correctly rounded
 * double (both operands are exact, IEEE division rounds once — Clinger's fast path), so values equal JSON.parse's;
 * other numbers go through parseFloat, which rounds correctly as well.
 */

const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN = 0x5b;
const CLOSE = 0x5d;

/** 10^k for k ≤ 22, exact in a double. */
const POWERS = Array.from({ length: 23 }, (_, k) => 10 ** k);

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;

const latin1 = (bytes: Uint8Array, from: number, to: number): string => Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');

/**
 * Where the `[…]` of `{"data": […]}` lies in `bytes` and how many values it holds, counted by their separators (0 for
 * `[]`), without reading one; null when `bytes` is not exactly that shape.
 */
export function dataArrayExtent(bytes: Uint8Array): { readonly open: number; readonly close: number; readonly values: number } | null {
  const open = bytes.indexOf(OPEN);
  const close = bytes.lastIndexOf(CLOSE);
  if (open < 0 || close < open) return null;
  if (!/^\s*\{\s*"data"\s*:\s*$/.test(latin1(bytes, 0, open)) || !/^\s*\}\s*$/.test(latin1(bytes, close + 1, bytes.length))) return null;
  let commas = 0;
  for (let i = open + 1; i < close; i++) if (bytes[i] === COMMA) commas++;
  let first = open + 1;
  while (first < close && isSpace(bytes[first] as number)) first++;
  return { open, close, values: first === close ? 0 : commas + 1 };
}

/** Null when `bytes` is not exactly `{"data": [numbers]}` (then the caller reports it, or parses it the slow way). */
export function parseDataArray(bytes: Uint8Array): Float32Array | null {
  const extent = dataArrayExtent(bytes);
  if (extent === null) return null;
  const { close } = extent;
  const values = new Float32Array(extent.values);
  let count = 0;
  let i = extent.open + 1;
  while (i < close && isSpace(bytes[i] as number)) i++;
  if (i === close) return values;
  for (;;) {
    // One JSON number: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
    const start = i;
    let negative = false;
    if (bytes[i] === MINUS) {
      negative = true;
      i++;
    }
    const intStart = i;
    let mantissa = 0;
    let significant = 0;
    while (i < close && isDigit(bytes[i] as number)) {
      mantissa = mantissa * 10 + ((bytes[i] as number) - ZERO);
      if (mantissa > 0) significant++;
      i++;
    }
    if (i === intStart || (bytes[intStart] === ZERO && i - intStart > 1)) return null;
    let fraction = 0;
    if (bytes[i] === DOT) {
      i++;
      const fracStart = i;
      while (i < close && isDigit(bytes[i] as number)) {
        mantissa = mantissa * 10 + ((bytes[i] as number) - ZERO);
        if (mantissa > 0) significant++;
        i++;
      }
      fraction = i - fracStart;
      if (fraction === 0) return null;
    }
    let value: number;
    const c = bytes[i] as number;
    if (c === 0x65 || c === 0x45) {
      i++;
      if (bytes[i] === 0x2b || bytes[i] === MINUS) i++;
      const expStart = i;
      while (i < close && isDigit(bytes[i] as number)) i++;
      if (i === expStart) return null;
      value = Number.parseFloat(latin1(bytes, start, i));
    } else if (significant <= 15 && fraction < POWERS.length) {
      const magnitude = mantissa / (POWERS[fraction] ?? 1);
      value = negative ? -magnitude : magnitude;
    } else {
      value = Number.parseFloat(latin1(bytes, start, i));
    }
    values[count++] = value;
    while (i < close && isSpace(bytes[i] as number)) i++;
    if (i === close) break;
    if (bytes[i] !== COMMA) return null;
    i++;
    while (i < close && isSpace(bytes[i] as number)) i++;
    if (i === close) return null;
  }
  return count === values.length ? values : null;
}
