import { isDeepStrictEqual } from 'node:util';
import test from 'ava';
import fc from 'fast-check';
import { formatStage, parseStage } from './archstring.js';
import { ArchError } from './errors.js';
import type { Activation, BlockSpec, StageSpec } from './spec.js';

test('parses timm inverted-residual strings', (t) => {
  t.deepEqual(parseStage('ir_r2_k3_s2_e6_c24_se0.25'), {
    repeats: 2,
    block: { kind: 'mbconv', kernel: 3, stride: 2, expand: 6, out: 24, se: 0.25, skip: true },
  });
});

test('parses ds, er, cn with timm defaults: cn has no residual unless `skip`, the others unless `noskip`', (t) => {
  t.deepEqual(parseStage('ds_r1_k3_s1_e1_c16_se0.25').block, { kind: 'ds', kernel: 3, stride: 1, out: 16, se: 0.25, skip: true, pointwiseActivation: false });
  t.deepEqual(parseStage('er_r4_k3_s2_e4_c48').block, { kind: 'fused', kernel: 3, stride: 2, expand: 4, out: 48, se: 0, skip: true });
  t.deepEqual(parseStage('cn_r2_k3_s1_e1_c24_skip').block, { kind: 'conv', kernel: 3, stride: 1, out: 24, skip: true });
  t.deepEqual(parseStage('cn_r1_k3_s1_c24').block, { kind: 'conv', kernel: 3, stride: 1, out: 24, skip: false });
  t.false((parseStage('ir_r1_k3_s1_e6_c24_noskip').block as { skip: boolean }).skip);
  t.is(parseStage('ir_r1_k3_s1_e6_c24_nre').block.activation, 'relu');
});

test('parses our ResNet tokens: bottleneck and basic', (t) => {
  t.deepEqual(parseStage('bt_r3_k3_s1_e0.25_c256'), { repeats: 3, block: { kind: 'bottleneck', kernel: 3, stride: 1, bottleneck: 0.25, out: 256 } });
  t.deepEqual(parseStage('bb_r2_k3_s2_c128'), { repeats: 2, block: { kind: 'basic', kernel: 3, stride: 2, out: 128 } });
});

test('parses timm `dsa` (MobileNetV1: activation after the pointwise conv, never a shortcut) and our DenseNet `dn`', (t) => {
  t.deepEqual(parseStage('dsa_r2_k3_s2_c128').block, { kind: 'ds', kernel: 3, stride: 2, out: 128, se: 0, skip: false, pointwiseActivation: true });
  t.deepEqual(parseStage('dn_r6_k3_s2_e4_c32'), { repeats: 6, block: { kind: 'dense', kernel: 3, stride: 2, bottleneck: 4, growth: 32 } });
});

const malformed: readonly [string, RegExp][] = [
  ['xx_r1_k3_s1_c16', /unknown block type 'xx'/],
  ['ir_r1_k3_s1_c16', /missing 'e<expansion>'/],
  ['ir_r1_s1_e6_c16', /missing 'k<kernel>'/],
  ['ir_r1_k3_s1_e6', /missing 'c<channels>'/],
  ['ir_r1_k3_s1_e6_c16_q7', /unknown option 'q7'/],
  ['ir_rX_k3_s1_e6_c16', /'rX' needs a number/],
  ['ir_r1.5_k3_s1_e6_c16', /whole number/],
  ['ir_r0_k3_s1_e6_c16', /at least 1/],
  ['ir_r1_k3_s22_e6_c16', /one stride digit/],
  ['ir_r1_k3_s1_e6_c16_se2', /SE ratio/],
  ['ir_r1_k3_s1_e6_c16_nxx', /unknown activation/],
  ['ir_r1_k3_k5_s1_e6_c16', /repeats option 'k'/],
  ['cn_r1_k3_s1_e6_c16', /no expansion/],
  ['bt_r1_k3_s1_e0.25_c64_noskip', /always have a shortcut/],
  ['dsa_r1_k3_s1_c64_skip', /never have a shortcut/],
  ['dn_r6_k3_s1_c32', /missing 'e<bottleneck width \/ growth>'/],
  ['dn_r6_k3_s1_e4_c32_se0.25', /no SE ratio/],
  ['', /unknown block type ''/],
];
for (const [text, why] of malformed) {
  test(`rejects '${text}' with a message naming the problem`, (t) => {
    const e = t.throws(() => parseStage(text), { instanceOf: ArchError });
    t.is(e?.code, 'BAD_ARCH_STRING');
    t.regex(e?.message ?? '', why);
    t.true(e?.message.includes(`'${text}'`));
  });
}

const activation = fc.option(fc.constantFrom<Activation>('relu', 'relu6', 'swish'), { nil: undefined });
const int = (max: number): fc.Arbitrary<number> => fc.integer({ min: 1, max });
const ratio = fc.constantFrom(0, 0.125, 0.25, 0.5, 1);
const withAct = <T extends object>(b: T, act: Activation | undefined): T => (act === undefined ? b : { ...b, activation: act });
const block: fc.Arbitrary<BlockSpec> = fc.oneof(
  fc.tuple(int(7), int(2), int(2048), fc.boolean(), activation).map(([kernel, stride, out, skip, a]) => withAct({ kind: 'conv' as const, kernel, stride, out, skip }, a)),
  fc.tuple(int(7), int(2), int(2048), ratio, fc.boolean(), fc.boolean(), activation).map(([kernel, stride, out, se, skip, pointwiseActivation, a]) =>
    // `dsa` (pointwise activation) never has a shortcut, as timm.
    withAct({ kind: 'ds' as const, kernel, stride, out, se, skip: skip && !pointwiseActivation, pointwiseActivation }, a),
  ),
  fc.tuple(fc.constantFrom('mbconv' as const, 'fused' as const), int(7), int(2), fc.constantFrom(1, 2, 3, 4, 6, 4.5), int(2048), ratio, fc.boolean(), activation).map(
    ([kind, kernel, stride, expand, out, se, skip, a]) => withAct({ kind, kernel, stride, expand, out, se, skip }, a),
  ),
  fc.tuple(int(7), int(2), fc.constantFrom(0.25, 0.5, 1), int(2048), activation).map(([kernel, stride, bottleneck, out, a]) => withAct({ kind: 'bottleneck' as const, kernel, stride, bottleneck, out }, a)),
  fc.tuple(int(7), int(2), int(2048), activation).map(([kernel, stride, out, a]) => withAct({ kind: 'basic' as const, kernel, stride, out }, a)),
  fc.tuple(int(7), int(2), fc.constantFrom(1, 2, 4), int(256), activation).map(([kernel, stride, bottleneck, growth, a]) => withAct({ kind: 'dense' as const, kernel, stride, bottleneck, growth }, a)),
);
const stage: fc.Arbitrary<StageSpec> = fc.tuple(int(30), block).map(([repeats, b]) => ({ repeats, block: b }));

test('round trip: parseStage(formatStage(spec)) equals spec for every block kind', (t) => {
  fc.assert(fc.property(stage, (s) => isDeepStrictEqual(parseStage(formatStage(s)), s)), { numRuns: 2000 });
  t.pass();
});

test('round trip: formatStage(parseStage(text)) is stable for the canonical timm strings', (t) => {
  for (const text of ['ds_r1_k3_s1_e1_c16_se0.25', 'ir_r2_k3_s2_e6_c24_se0.25', 'er_r4_k3_s2_e4_c48', 'cn_r2_k3_s1_e1_c24_skip', 'bt_r3_k3_s1_e0.25_c256', 'dsa_r6_k3_s2_e1_c512', 'dn_r24_k3_s2_e4_c32']) {
    t.is(formatStage(parseStage(text)), text);
  }
});
