/**
 * Escaping, one function per output format, for every string that comes from a journal (studies are shared; a
 * journal is untrusted input): HTML text and attributes, JSON inside a <script>, plotly labels, LaTeX (text and
 * labels), CSV cells, Markdown table cells. Control characters never pass through.
 */

/** C0/C1 control characters except tab and newline (formats that allow those handle them below). */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
const stripControls = (text: string): string => text.replace(CONTROL, '');

export function escapeHtml(text: string): string {
  return stripControls(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * JSON safe inside `<script type="application/json">`: `<`, `>` and `&` as \u escapes so no `</script>` or
 * `<!--` can end the element early; U+2028/2029 too, for older parsers.
 */
export function jsonForScript(value: unknown, replacer?: (key: string, value: unknown) => unknown): string {
  return JSON.stringify(value, replacer)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Text for plotly (titles, labels, hover text, template text). Plotly renders a subset of HTML in every string
 * (`<a href>`, `<b>`, `<br>`) and decodes entities only inside text (svg_text_utils' convertEntities), so escaping
 * `&`, `<`, `>` shows user text literally; `%{` would start a template field, so its brace is an entity too.
 */
export function plotlyText(text: string): string {
  return stripControls(text).replace(/[\r\n\t]+/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/%\{/g, '%&#123;');
}

const LATEX_SPECIAL: Readonly<Record<string, string>> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
  '"': "''",
};

/** LaTeX text: every special character escaped (so `\input{…}` is printed, never run); line breaks become spaces. */
export function escapeLatex(text: string): string {
  return stripControls(text).replace(/[\r\n\t]+/g, ' ').replace(/[\\&%$#_{}~^<>|"]/g, (c) => LATEX_SPECIAL[c] ?? c);
}

/** A `\label{…}` key from any text: a safe slug (letters, digits, `-`, `.`, `:`), never empty. */
export function latexLabel(text: string): string {
  const slug = text.normalize('NFKD').replace(/[^A-Za-z0-9.:-]+/g, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
  return slug === '' ? 'scalelab' : slug;
}

/** Cells a spreadsheet would run as a formula (OWASP CSV injection): =, +, -, @, tab, carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell (RFC 4180): numbers stay numbers; text that a spreadsheet would read as a formula is prefixed with
 * `'` (OWASP); fields holding a comma, quote or line break are quoted.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = stripControls(value);
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * One Markdown table cell: line breaks become spaces; `|` (a new cell), backticks (code spans), and the characters
 * that start links, emphasis or HTML are backslash-escaped, so the cell shows as written.
 */
export function markdownCell(text: string): string {
  return stripControls(text).replace(/[\r\n\t]+/g, ' ').replace(/[\\`|*_[\]<>]/g, (c) => `\\${c}`);
}
