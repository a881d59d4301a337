import test from 'ava';
import { ArchError } from '../errors.js';
import { expandNetwork } from '../expand.js';
import { ZOO_NAMES, zooModel } from './index.js';

test('the zoo has exactly the promised names', (t) => {
  t.deepEqual([...ZOO_NAMES].sort(), [
    ...['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7'].map((b) => `efficientnet-${b}`),
    ...['b0', 'b1', 'b2', 'b3', 's', 'm', 'l'].map((b) => `efficientnetv2-${b}`),
    ...[0, 1, 2, 3, 4].map((i) => `efficientnet-lite${i}`),
    'mobilenetv1',
    'mobilenetv2',
    'densenet121',
    'densenet169',
    'densenet201',
    'proxy-b0',
    'resnet101',
    'resnet152',
    'resnet50',
  ].sort());
});

test('an unknown model name is an error that lists the zoo', (t) => {
  const e = t.throws(() => zooModel('efficientnet-b9'), { instanceOf: ArchError });
  t.is(e?.code, 'UNKNOWN_MODEL');
  t.regex(e?.message ?? '', /unknown model 'efficientnet-b9'.*efficientnet-b0/);
});

// Final feature widths of B0–B7 as published (timm `num_features`, Keras `top_conv`): 1280 · w rounded.
const HEAD_WIDTHS: Record<string, number> = {
  'efficientnet-b0': 1280, 'efficientnet-b1': 1280, 'efficientnet-b2': 1408, 'efficientnet-b3': 1536,
  'efficientnet-b4': 1792, 'efficientnet-b5': 2048, 'efficientnet-b6': 2304, 'efficientnet-b7': 2560,
};
// Number of MBConv blocks in Keras' B0–B7 (sum of ceil(d · [1,2,2,3,3,4,1])).
const BLOCKS: Record<string, number> = {
  'efficientnet-b0': 16, 'efficientnet-b1': 23, 'efficientnet-b2': 23, 'efficientnet-b3': 26,
  'efficientnet-b4': 32, 'efficientnet-b5': 39, 'efficientnet-b6': 45, 'efficientnet-b7': 55,
};

for (const [name, width] of Object.entries(HEAD_WIDTHS)) {
  test(`${name} has the published head width ${width} and ${BLOCKS[name]} blocks`, (t) => {
    const net = expandNetwork(zooModel(name));
    t.is(net.head?.kind === 'conv' ? net.head.outChannels : 0, width);
    t.is(net.blocks.length, BLOCKS[name] ?? -1);
  });
}

test('ResNet-50 has 16 bottleneck blocks ending at 2048 channels, 7×7 spatial at 224 px', (t) => {
  const net = expandNetwork(zooModel('resnet50'));
  t.is(net.blocks.length, 16);
  t.is(net.featureChannels, 2048);
  t.is(net.blocks[net.blocks.length - 1]?.outSize, 7);
  t.is(net.stem.outSize, 56);
});

test('proxy-b0 takes 32 px single-channel input, 10 classes, B0 strides (32 → 16 → … → 1)', (t) => {
  const net = expandNetwork(zooModel('proxy-b0'));
  t.is(net.resolution, 32);
  t.is(net.inputChannels, 1);
  t.is(net.classes, 10);
  t.is(net.stem.outSize, 16);
  t.is(net.blocks[net.blocks.length - 1]?.outSize, 1);
  // B0 at width 0.25, depth 0.5: stem 8, head 320; repeats ceil(0.5 · [1,2,2,3,3,4,1]) = 1,1,1,2,2,2,1
  t.is(net.stem.outChannels, 8);
  t.is(net.head?.kind === 'conv' ? net.head.outChannels : 0, 320);
  t.is(net.blocks.length, 10);
});

test('EfficientNet-Lite keeps stem 32, head 1280 and the first and last stages\' repeats while scaling (fix_head_stem)', (t) => {
  // Lite4: width 1.4, depth 1.8. Middle stages ceil(1.8 · [2,2,3,3,4]) = 4,4,6,6,8; first and last stay 1 → 30 blocks.
  const net = expandNetwork(zooModel('efficientnet-lite4'));
  t.is(net.stem.outChannels, 32);
  t.is(net.head?.kind === 'conv' ? net.head.outChannels : 0, 1280);
  t.is(net.blocks.length, 1 + 4 + 4 + 6 + 6 + 8 + 1);
  t.is(net.blocks.filter((b) => b.stage === 1).length, 1);
  t.is(net.blocks.filter((b) => b.stage === 7).length, 1);
  // Inner stages are scaled: block 2's 24 channels × 1.4 = 33.6 → 32; the last stage's 320 × 1.4 = 448.
  t.is(net.blocks.find((b) => b.stage === 2)?.outChannels, 32);
  t.is(net.blocks[net.blocks.length - 1]?.outChannels, 448);
  t.true(net.blocks.every((b) => b.kind !== 'mbconv' || b.seChannels === 0), 'no squeeze-excitation');
  t.true(net.blocks.every((b) => b.activation === 'relu6'));
});

test('DenseNet-121/169/201 end at 1024 / 1664 / 1920 feature channels (Huang et al. 2017, growth 32, θ = 0.5)', (t) => {
  // 121: 64 + 6·32 = 256 → 128 + 12·32 = 512 → 256 + 24·32 = 1024 → 512 + 16·32 = 1024.
  t.is(expandNetwork(zooModel('densenet121')).featureChannels, 1024);
  // 169: … → 256 + 32·32 = 1280 → 640 + 32·32 = 1664; 201: … → 256 + 48·32 = 1792 → 896 + 32·32 = 1920.
  t.is(expandNetwork(zooModel('densenet169')).featureChannels, 1664);
  t.is(expandNetwork(zooModel('densenet201')).featureChannels, 1920);
  const net = expandNetwork(zooModel('densenet121'));
  t.is(net.blocks.length, 6 + 12 + 24 + 16);
  t.is(net.blocks[net.blocks.length - 1]?.outSize, 7);
});

test('MobileNetV1: 13 depthwise-separable blocks with ReLU6 after the pointwise conv and no residuals, 1024 features', (t) => {
  const net = expandNetwork(zooModel('mobilenetv1'));
  t.is(net.blocks.length, 13);
  t.is(net.featureChannels, 1024);
  t.true(net.blocks.every((b) => b.kind === 'ds' && b.pointwiseActivation && !b.residual));
  t.is(net.blocks[net.blocks.length - 1]?.outSize, 7);
});
