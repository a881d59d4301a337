/**
 * Text for the terminal from untrusted sources (journal fields, file names, flags echoed back): control characters
 * (ANSI escapes, carriage returns, bells) shown as `\xNN` / `\uNNNN` rather than acted on, and cut to a readable
 * length.
 */

// C0 controls (line breaks too: an echoed value never starts a line of its own), C1 controls, DEL, and the bidirectional overrides that reorder what a terminal shows.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function cleanText(text: string, maxLength = 200): string {
  const visible = text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return visible.length > maxLength ? `${visible.slice(0, maxLength - 1)}…` : visible;
}
