import test from 'ava';
import * as fc from 'fast-check';
import { isStartOfOurLine } from './journal-lines.js';
import { isJsonPrefix } from './json-prefix.js';

test('every prefix of a JSON text is a JSON prefix (property)', (t) => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const text = JSON.stringify(value);
      for (let i = 0; i <= text.length; i++) if (!isJsonPrefix(text.slice(0, i))) return false;
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('text that no JSON can start with is rejected (hand-made cases)', (t) => {
  for (const bad of ['}', '{"a" 1', '{"a":1,}', '[1,,', '{"a":tru3', '01', '1.e', '"\\x"', '{"a":1}}', '{"a":1} x', '\u0000', 'nul1', '[1 2]', '{1:2}', '"a\nb"']) {
    t.false(isJsonPrefix(bad), bad);
  }
  for (const good of ['', '{', '{"a', '{"a":', '{"a":-', '{"a":1.', '{"a":1e', '{"a":1e-', '{"a":"\\u00', '[tr', '{"a":[1,2,{"b":nul', '  {  "a" : 1 ']) {
    t.true(isJsonPrefix(good), good);
  }
});

test('a torn line is "ours" only when it starts as ScaleLab writes lines', (t) => {
  const line = '{"op_code":8,"worker_id":"scalelab-0f1e-42","trial_id":3,"user_attr":{"accuracy":0.91}}';
  for (let i = 1; i < line.length; i++) t.true(isStartOfOurLine(line.slice(0, i)), line.slice(0, i));
  t.false(isStartOfOurLine('{"op_code": 8, "worker_id": "x"'), 'Optuna spacing: not ours');
  t.false(isStartOfOurLine('{"op_code":8,"worker_id":"optuna-'));
  t.false(isStartOfOurLine('PK\u0003\u0004'));
});
