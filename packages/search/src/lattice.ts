/**
 * Decimal lattices without floating drift: values are integers of a common decimal unit, divided once, so the
 * lattice 1:1.5 step 0.05 holds exactly the doubles written 1, 1.05, …, 1.15, …, 1.5 (repeated addition of
 * 0.05 would give 1.1500000000000001).
 */

/** Digits after the decimal point of a number as written (0.05 → 2, 1e-7 → 7), at most 12. */
export function decimalPlaces(x: number): number {
  if (!Number.isFinite(x)) return 0;
  const [mantissa = '', exponent] = String(x).toLowerCase().split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.min(12, Math.max(0, fraction - Number(exponent ?? 0)));
}

/** The common decimal unit of some numbers: 10^(the most decimal places among them). */
export function decimalScale(...xs: readonly number[]): number {
  return 10 ** Math.max(0, ...xs.map(decimalPlaces));
}

/** min, min + step, … up to max inclusive (max itself when it lies on the lattice). */
export function latticeValues(min: number, max: number, step: number): number[] {
  const scale = decimalScale(min, max, step);
  const lo = Math.round(min * scale);
  const hi = Math.round(max * scale);
  const by = Math.round(step * scale);
  const out: number[] = [];
  for (let u = lo; u <= hi; u += by) out.push(u / scale);
  return out;
}

/** How many values `latticeValues` gives, without making them. */
export function latticeCount(min: number, max: number, step: number): number {
  const scale = decimalScale(min, max, step);
  const lo = Math.round(min * scale);
  const hi = Math.round(max * scale);
  const by = Math.round(step * scale);
  return hi < lo || by <= 0 ? 0 : Math.floor((hi - lo) / by) + 1;
}

/** Exact integer in units of 1/scale (BigInt, so products of several coefficients stay exact). */
export function units(x: number, scale: number): bigint {
  return BigInt(Math.round(x * scale));
}
