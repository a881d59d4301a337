import test from 'ava';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dataArrayExtent, parseDataArray } from './number-array.js';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'latin1');
/** What JSON.parse makes of the same text: the reference. */
const reference = (text: string): Float32Array => Float32Array.from((JSON.parse(text) as { data: number[] }).data);

test('every MNIST digit file scans to exactly the float32 values JSON.parse gives', (t) => {
  const require = createRequire(import.meta.url);
  let numbers = 0;
  for (let digit = 0; digit < 10; digit++) {
    const file = readFileSync(require.resolve(`mnist/src/digits/${digit}.json`));
    const scanned = parseDataArray(file);
    const expected = reference(file.toString('utf8'));
    if (scanned === null) return t.fail(`digit ${digit} not scanned`);
    t.is(scanned.length, expected.length);
    // Bit for bit, not approximately (a loop: ava's deep diff of 784 k elements takes seconds).
    const a = new Uint32Array(scanned.buffer);
    const b = new Uint32Array(expected.buffer);
    let differing = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing++;
    t.is(differing, 0, `digit ${digit}`);
    numbers += scanned.length;
  }
  t.is(numbers, 10_000 * 784);
});

test('JSON numbers of every form equal JSON.parse, including the ones off the fast path', (t) => {
  const forms = ['0', '-0', '1', '0.5', '0.1', '0.992', '-3.25', '12345678901234', '0.1234567890123456789', '123456789012345678', '1e3', '2.5E-7', '-1e+2', '0.000001', '1.7976931348623157e308', '5e-324'];
  const text = ` { "data" : [ ${forms.join(' ,\n')} ] } \n`;
  const scanned = parseDataArray(bytes(text));
  if (scanned === null) return t.fail('not scanned');
  t.deepEqual([...scanned], [...reference(text)]);
  t.true(Object.is(scanned[1], -0));
  t.deepEqual([...(parseDataArray(bytes('{"data":[]}')) ?? [1])], []);
  // Counted without reading: as many as JSON.parse finds.
  t.is(dataArrayExtent(bytes(text))?.values, forms.length);
  t.is(dataArrayExtent(bytes('{"data":[ \n ]}'))?.values, 0);
});

test('anything but {"data": [JSON numbers]} is refused (null), never read as numbers', (t) => {
  for (const text of ['{"data":[1,,2]}', '{"data":[1,2,]}', '{"data":[01]}', '{"data":[1.]}', '{"data":[.5]}', '{"data":[1e]}', '{"data":[1 2]}', '{"data":[NaN]}', '{"data":[+1]}', '{"data":["1"]}', '{"data":[[1]]}', '{"x":[1]}', '{"data":[1],"more":2}', '[1,2]', '{"data":[1,2]', '', 'not json']) {
    t.is(parseDataArray(bytes(text)), null, text);
    if (!text.startsWith('{"data":[')) t.is(dataArrayExtent(bytes(text)), null, text);
  }
});
