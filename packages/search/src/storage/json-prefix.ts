/**
 * Is a text the beginning of some JSON value (RFC 8259)? A journal's torn last line — a crash in the middle of a
 * write — is such a prefix; a damaged or foreign last line almost never is. One pass, O(length), no recursion.
 */

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const LITERALS = ['true', 'false', 'null'];

type Container = '{' | '[';
/** What may come next. */
type Expect = 'value' | 'key-or-end' | 'key' | 'colon' | 'comma-or-end' | 'end';

export function isJsonPrefix(text: string): boolean {
  const stack: Container[] = [];
  let expect: Expect = 'value';
  let i = 0;
  const n = text.length;
  /** After a complete value: what the enclosing container wants next. */
  const afterValue = (): Expect => (stack.length === 0 ? 'end' : 'comma-or-end');

  while (i < n) {
    const c = text[i] as string;
    if (WHITESPACE.has(c)) {
      i++;
      continue;
    }
    switch (expect) {
      case 'end':
        return false;
      case 'colon':
        if (c !== ':') return false;
        expect = 'value';
        i++;
        continue;
      case 'comma-or-end': {
        const top = stack[stack.length - 1];
        if (c === ',') {
          expect = top === '{' ? 'key' : 'value';
          i++;
          continue;
        }
        if ((c === '}' && top === '{') || (c === ']' && top === '[')) {
          stack.pop();
          expect = afterValue();
          i++;
          continue;
        }
        return false;
      }
      case 'key-or-end':
      case 'key': {
        if (expect === 'key-or-end' && c === '}') {
          stack.pop();
          expect = afterValue();
          i++;
          continue;
        }
        if (c !== '"') return false;
        const end = scanString(text, i);
        if (end === 'invalid') return false;
        if (end === 'open') return true;
        i = end;
        expect = 'colon';
        continue;
      }
      case 'value': {
        if (c === '{' || c === '[') {
          stack.push(c);
          expect = c === '{' ? 'key-or-end' : 'value';
          i++;
          // An empty array closes at once.
          if (c === '[') {
            let j = i;
            while (j < n && WHITESPACE.has(text[j] as string)) j++;
            if (text[j] === ']') {
              stack.pop();
              i = j + 1;
              expect = afterValue();
            }
          }
          continue;
        }
        if (c === '"') {
          const end = scanString(text, i);
          if (end === 'invalid') return false;
          if (end === 'open') return true;
          i = end;
          expect = afterValue();
          continue;
        }
        if (c === '-' || (c >= '0' && c <= '9')) {
          const end = scanNumber(text, i);
          if (end === 'invalid') return false;
          if (end === 'open') return true;
          i = end;
          expect = afterValue();
          continue;
        }
        const literal = LITERALS.find((l) => l[0] === c);
        if (literal === undefined) return false;
        const have = text.slice(i, i + literal.length);
        if (!literal.startsWith(have)) return false;
        if (have.length < literal.length) return true;
        i += literal.length;
        expect = afterValue();
        continue;
      }
    }
  }
  return true;
}

/** From an opening quote: the index after the closing quote, 'open' when the text ends inside, or 'invalid'. */
function scanString(text: string, start: number): number | 'open' | 'invalid' {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return 'invalid';
    if (c === 0x5c) {
      const e = text[i + 1];
      if (e === undefined) return 'open';
      if ('"\\/bfnrt'.includes(e)) {
        i += 2;
        continue;
      }
      if (e !== 'u') return 'invalid';
      const hex = text.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]*$/.test(hex)) return 'invalid';
      if (hex.length < 4) return 'open';
      i += 6;
      continue;
    }
    i++;
  }
  return 'open';
}

/**
 * From a number's first character: the index after it, 'open' when the text ends where the number could go on, or
 * 'invalid'. -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
 */
function scanNumber(text: string, start: number): number | 'open' | 'invalid' {
  const m = /^-?(?:0|[1-9]\d*)?(?:\.\d*)?(?:[eE][+-]?\d*)?/.exec(text.slice(start, start + 400));
  const token = m?.[0] ?? '';
  const end = start + token.length;
  const complete = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(token);
  if (end === text.length) {
    // The text stops inside or right after the number: fine if what is there can still grow into a number.
    return /^-?(?:(?:0|[1-9]\d*)(?:\.\d*|(?:\.\d+)?[eE][+-]?\d*)?)?$/.test(token) ? 'open' : 'invalid';
  }
  return complete && token.length > 0 ? end : 'invalid';
}
