import test from 'ava';
import { expandNetwork, parseArchFile, scaleSpec, zooModel } from '@scalelab/arch';
import { analyzeSpec } from './spec-analysis.js';

/**
 * Total / trainable / non-trainable params as Keras Applications' `model.summary()` prints them
 * (`include_top=True`, 1000 classes), e.g. EfficientNetB0 "Total params: 5,330,571 / Trainable: 5,288,548 /
 * Non-trainable: 42,023". The issue names B0, B4, ResNet50 and MobileNetV2; the rest are the same source.
 */
const KERAS_PARAMS: Record<string, readonly [total: number, trainable?: number, nonTrainable?: number]> = {
  'efficientnet-b0': [5_330_571, 5_288_548, 42_023],
  'efficientnet-b1': [7_856_239],
  'efficientnet-b2': [9_177_569],
  'efficientnet-b3': [12_320_535],
  'efficientnet-b4': [19_466_823],
  'efficientnet-b5': [30_562_527],
  'efficientnet-b6': [43_265_143],
  'efficientnet-b7': [66_658_687],
  'efficientnetv2-b0': [7_200_312],
  'efficientnetv2-b1': [8_212_124],
  'efficientnetv2-b2': [10_178_374],
  'efficientnetv2-b3': [14_467_622],
  'efficientnetv2-s': [21_612_360],
  'efficientnetv2-m': [54_431_388],
  'efficientnetv2-l': [119_027_848],
  mobilenetv2: [3_538_984, 3_504_872, 34_112],
  resnet50: [25_636_712, 25_583_592, 53_120],
  resnet101: [44_707_176],
  resnet152: [60_419_944],
  mobilenetv1: [4_253_864],
  densenet121: [8_062_504],
  densenet169: [14_307_880],
  densenet201: [20_242_984],
};

for (const [name, [total, trainable, nonTrainable]] of Object.entries(KERAS_PARAMS)) {
  test(`${name}: params equal Keras Applications (${total.toLocaleString('en-US')})`, (t) => {
    const a = analyzeSpec(zooModel(name));
    t.is(a.params.total, total);
    if (trainable !== undefined) t.is(a.params.trainable, trainable);
    if (nonTrainable !== undefined) t.is(a.params.nonTrainable, nonTrainable);
    t.is(a.params.trainable + a.params.nonTrainable, a.params.total);
  });
}

test('B0 scaled by the published B4 coefficients has Keras B4 params (19,466,823)', (t) => {
  const b4 = analyzeSpec(scaleSpec(zooModel('efficientnet-b0'), { width: 1.4, depth: 1.8, resolution: 380 / 224 }));
  t.is(b4.params.total, 19_466_823);
  t.is(b4.resolution, 380);
});

/**
 * EfficientNet-Lite0…4 as published beside the TF reference (`efficientnet/lite/README.md`: 4.7M, 5.4M, 6.1M, 8.2M,
 * 13.0M params). These are the reference's *trainable* variables (BN's moving mean and variance are not
 * variables there), so they are compared with the trainable count at the published precision.
 */
const LITE_PUBLISHED_PARAMS: readonly [string, number][] = [
  ['efficientnet-lite0', 4.7],
  ['efficientnet-lite1', 5.4],
  ['efficientnet-lite2', 6.1],
  ['efficientnet-lite3', 8.2],
  ['efficientnet-lite4', 13.0],
];
for (const [name, millions] of LITE_PUBLISHED_PARAMS) {
  test(`${name}: trainable params round to the published ${millions.toFixed(1)}M`, (t) => {
    const a = analyzeSpec(zooModel(name));
    t.is(Math.round(a.params.trainable / 1e5) / 10, millions);
  });
}

test('MobileNetV1 costs 569M MACs at 224 px (Howard et al. 2017, Table 8 / EfficientNet paper Table 3)', (t) => {
  const a = analyzeSpec(zooModel('mobilenetv1'));
  t.is(Math.round(a.macs / 1e6), 569);
  // Hand count of the stem: 112² positions × 3·3·3 inputs × 32 filters = 10,838,016 MACs.
  t.is(a.byStage.find((s) => s.stage === 'stem')?.macs, 112 * 112 * 27 * 32);
});

test('DenseNet-121 layer by layer: one dense layer and one transition as Keras builds them (hand count)', (t) => {
  const layers = analyzeSpec(zooModel('densenet121'), { layers: true }).layers ?? [];
  const params = (name: string): number | undefined => layers.find((l) => l.name === name)?.params.total;
  // conv2_block1: BN(64) → 1×1 conv 64→128 → BN(128) → 3×3 conv 128→32, no biases.
  t.is(params('block1a_0_bn'), 4 * 64);
  t.is(params('block1a_1_conv'), 64 * 128);
  t.is(params('block1a_1_bn'), 4 * 128);
  t.is(params('block1a_2_conv'), 9 * 128 * 32);
  // pool2: the first dense block ends at 64 + 6·32 = 256 channels; the transition halves them with a 1×1 conv at 56².
  t.is(params('block2a_transition_conv'), 256 * 128);
  t.is(layers.find((l) => l.name === 'block2a_transition_conv')?.macs, 56 * 56 * 256 * 128);
  t.deepEqual(layers.find((l) => l.name === 'block2a_2_conv')?.outputShape, [28, 28, 32]);
});

// Multiply-adds as published: EfficientNet paper Table 2 (B0 0.39B "FLOPS", which are MACs), MobileNetV2
// paper Table 4 (300M multiply-adds), ResNet paper Table 1 (ResNet-50 3.8 × 10⁹ FLOPs, which are multiply-adds).
const PUBLISHED_MACS: readonly [string, number, number][] = [
  ['efficientnet-b0', 0.39e9, 0.02],
  ['mobilenetv2', 300e6, 0.01],
  ['resnet50', 3.8e9, 0.02],
  ['efficientnet-b7', 37e9, 0.03],
];
for (const [name, macs, tolerance] of PUBLISHED_MACS) {
  test(`${name}: MACs within ${tolerance * 100}% of the published ${macs / 1e9}G`, (t) => {
    const a = analyzeSpec(zooModel(name));
    t.true(Math.abs(a.macs - macs) / macs <= tolerance, `${a.macs} vs ${macs}`);
    t.is(a.flops, 2 * a.macs);
  });
}

/**
 * A network small enough to price by hand. 8×8×3 input, all channels multiples of 8 so rounding is the identity.
 *   stem 3×3/2 → 4×4×8:   conv 216 w, 4·4·216 = 3456 MACs, 128 acts; BN 8 ch
 *   ds k3 s1 → 8, SE 0.25 (2 ch): dw 72 w, 1152 MACs, 128 acts; BN 8; SE reduce 8·2+2 = 18 w, 16 MACs, 2 acts;
 *                                 SE expand 2·8+8 = 24 w, 16 MACs, 8 acts; project 64 w, 1024 MACs, 128 acts; BN 8
 *   ir k3 s2 e2 → 16, SE 0.5 (4 ch): expand 8→16 128 w, 2048 MACs, 256 acts; BN 16; dw → 2×2: 144 w, 576 MACs,
 *                                 64 acts; BN 16; SE 16·4+4 = 68 w, 64 MACs, 4 acts; 4·16+16 = 80 w, 64 MACs,
 *                                 16 acts; project 256 w, 4·256 = 1024 MACs, 64 acts; BN 16
 *   head 1×1 16→32: 512 w, 2048 MACs, 128 acts; BN 32;  dense 32→10: 330 w, 320 MACs, 10 acts
 * Weights 1912; BN channels 104 → 208 trainable (γ, β) + 208 non-trainable (mean, variance).
 */
const TINY = `name: tiny
resolution: 8
stem: 8 k3 s2
head: 32
classes: 10
dropout: 0
ds_r1_k3_s1_e1_c8_se0.25
ir_r1_k3_s2_e2_c16_se0.5
`;

test('a tiny network priced by hand', (t) => {
  const a = analyzeSpec(parseArchFile(TINY), { layers: true });
  t.deepEqual(a.params, { trainable: 1912 + 208, nonTrainable: 208, total: 2328 });
  t.is(a.macs, 3456 + 1152 + 16 + 16 + 1024 + 2048 + 576 + 64 + 64 + 1024 + 2048 + 320);
  t.is(a.activations, 128 + (128 + 2 + 8 + 128) + (256 + 64 + 4 + 16 + 64) + 128 + 10);
  t.deepEqual(a.layers?.find((l) => l.name === 'block2a_dwconv')?.outputShape, [2, 2, 16]);
  t.deepEqual(a.layers?.map((l) => l.name).slice(0, 4), ['stem_conv', 'stem_bn', 'block1a_dwconv', 'block1a_bn']);
});

test('the residual-free SE and skip rules follow Keras: B0 block1a has SE from 32 input channels (8 reduced)', (t) => {
  const layers = analyzeSpec(zooModel('efficientnet-b0'), { layers: true }).layers ?? [];
  t.deepEqual(layers.find((l) => l.name === 'block1a_se_reduce')?.outputShape, [1, 1, 8]);
  t.deepEqual(layers.find((l) => l.name === 'block2a_se_reduce')?.outputShape, [1, 1, 4]); // max(1, 16 · 0.25)
  t.is(layers.filter((l) => l.name.endsWith('_expand_conv')).length, 15); // every block but block1a
});

test('stage and kind breakdowns add up to the totals', (t) => {
  for (const name of ['efficientnet-b3', 'resnet101', 'efficientnetv2-s']) {
    const a = analyzeSpec(zooModel(name));
    const sum = (xs: readonly { macs: number; params: { total: number }; activations: number }[]): [number, number, number] =>
      xs.reduce<[number, number, number]>((s, x) => [s[0] + x.macs, s[1] + x.params.total, s[2] + x.activations], [0, 0, 0]);
    t.deepEqual(sum(a.byStage), [a.macs, a.params.total, a.activations]);
    t.deepEqual(sum(a.byKind), [a.macs, a.params.total, a.activations]);
  }
});

test('layers are only materialized when asked for, totals are the same either way', (t) => {
  const spec = zooModel('efficientnet-b2');
  const lean = analyzeSpec(spec);
  const full = analyzeSpec(spec, { layers: true });
  t.is(lean.layers, undefined);
  t.is(full.layers?.reduce((n, l) => n + l.macs, 0), lean.macs);
  t.deepEqual({ ...full, layers: undefined }, { ...lean, layers: undefined });
});

test('every block kind is priced: weights and MACs beyond the stem and classifier, none silently zero', (t) => {
  for (const stage of ['cn_r1_k3_s1_c16', 'ds_r1_k3_s1_c16', 'dsa_r1_k3_s1_c16', 'ir_r1_k3_s1_e4_c16', 'er_r1_k3_s1_e4_c16', 'bt_r1_k3_s1_e0.25_c64', 'bb_r1_k3_s1_c16', 'dn_r1_k3_s1_e4_c16']) {
    const spec = parseArchFile(`name: one\nresolution: 16\nstem: 8 k3 s1\nhead: none\nclasses: 2\n${stage}\n`);
    const a = analyzeSpec(spec);
    const block = a.byStage.find((s) => s.stage === 'stage1');
    t.true(block !== undefined && block.params.total > 0 && block.macs > 0, stage);
    t.is(expandNetwork(spec).blocks.length, 1);
  }
});
