import test from 'ava';
import { formatArchFile, parseArchFile } from './archfile.js';
import { ArchError } from './errors.js';
import { ZOO_NAMES, zooModel } from './zoo/index.js';

test('every zoo model prints as an arch file that reads back to the same spec', (t) => {
  for (const name of ZOO_NAMES) {
    const spec = zooModel(name);
    t.deepEqual(parseArchFile(formatArchFile(spec)), spec, name);
  }
});

test('header defaults are B0-like and comments are ignored', (t) => {
  const spec = parseArchFile('# tiny\nname: tiny\nresolution: 64  # px\nir_r1_k3_s2_e6_c24_se0.25\n');
  t.is(spec.name, 'tiny');
  t.is(spec.input.resolution, 64);
  t.is(spec.stem.out, 32);
  t.deepEqual(spec.head, { kind: 'conv', out: 1280 });
  t.is(spec.stages.length, 1);
});

const bad: readonly [string, RegExp][] = [
  ['resolution: 0\nir_r1_k3_s2_e6_c24', /line 1: 'resolution' needs a whole number ≥ 1, got '0'/],
  ['resolution: abc\nir_r1_k3_s2_e6_c24', /line 1: 'resolution'.*'abc'/],
  ['colour: red\nir_r1_k3_s2_e6_c24', /line 1: unknown header key 'colour'/],
  ['name: x\nir_r1_k3_s2_e6_c24\nclasses: 10', /line 3: header line 'classes: 10' after the first stage line/],
  ['ir_r1_k3_s2_e6_c24\nir_r1_k3_s2_e6', /line 2: malformed arch string 'ir_r1_k3_s2_e6': missing 'c<channels>'/],
  ['activation: gelu\nir_r1_k3_s2_e6_c24', /'activation' must be one of swish, relu, relu6/],
  ['stem: big\nir_r1_k3_s2_e6_c24', /'stem' must look like/],
  ['name: empty\n', /no stage lines/],
];
for (const [text, why] of bad) {
  test(`arch file error names the line and the problem: ${why.source.slice(0, 40)}`, (t) => {
    const e = t.throws(() => parseArchFile(text, 'net.arch'), { instanceOf: ArchError });
    t.is(e?.code, 'BAD_ARCH_FILE');
    t.regex(e?.message ?? '', why);
    t.true(e?.message.startsWith('net.arch'));
  });
}
