/** Numbers as papers print them: two significant digits with a unit (5.3M params, 0.39B FLOPs, 37B). */

function twoSignificant(x: number): string {
  if (x >= 100) return String(Math.round(x));
  // toPrecision(2) without exponent notation: 0.39, 5.3, 12.
  return Number(x.toPrecision(2)).toString();
}

/** Parameters: 5,330,571 → 5.3M; 66,658,687 → 67M; 208,960 → 209K. */
export function paperParams(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (n >= 1e6) return `${twoSignificant(n / 1e6)}M`;
  if (n >= 1e3) return `${twoSignificant(n / 1e3)}K`;
  return String(n);
}

/** Multiply-adds ("FLOPS" in the EfficientNet paper): 385,814,752 → 0.39B; 1.8e9 → 1.8B; small proxies in M/K. */
export function paperMacs(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (n >= 1e8) return `${twoSignificant(n / 1e9)}B`;
  if (n >= 1e5) return `${twoSignificant(n / 1e6)}M`;
  if (n >= 1e3) return `${twoSignificant(n / 1e3)}K`;
  return String(n);
}

export function percent(x: number | null, digits = 2): string {
  return x === null || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(digits)}%`;
}

export function fixed(x: number | null, digits: number): string {
  return x === null || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

/** 75 → "1 min 15 s"; 3725 → "1 h 2 min". */
export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
