/** Number formatting as papers print it, and plain / Markdown / CSV tables. */

/** 5330571 → "5.33M", 385814752 → "385.81M"; `unit` "G" forces giga (0.39G). */
export function humanCount(n: number, digits = 2): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(digits)}G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(digits)}M`;
  if (abs >= 1e3) return `${(n / 1e3).toFixed(digits)}K`;
  return String(n);
}

export function giga(n: number, digits = 3): string {
  return `${(n / 1e9).toFixed(digits)}G`;
}

/** 5330571 → "5,330,571". */
export function grouped(n: number): string {
  return n.toLocaleString('en-US');
}

export type Cell = string | number;
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** Columns aligned right in text and Markdown (numbers). */
  readonly numeric?: readonly boolean[];
}

export function textTable(t: Table): string {
  const cells = [t.columns, ...t.rows].map((r) => r.map(String));
  const widths = t.columns.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r.map((c, i) => (t.numeric?.[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const [head, ...body] = cells;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function markdownTable(t: Table): string {
  const esc = (c: Cell): string => String(c).replace(/\|/g, '\\|');
  const align = t.columns.map((_, i) => (t.numeric?.[i] ? '---:' : ':---'));
  return [`| ${t.columns.map(esc).join(' | ')} |`, `| ${align.join(' | ')} |`, ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

/** RFC 4180 CSV: fields with commas, quotes or newlines are quoted. */
export function csvTable(t: Table): string {
  const field = (c: Cell): string => {
    const s = String(c);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [t.columns, ...t.rows].map((r) => r.map(field).join(',')).join('\n');
}
