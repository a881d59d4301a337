import test from 'ava';
import { ArchError } from '../errors.js';
import { expandNetwork } from '../expand.js';
import { ZOO_NAMES, zooModel } from './index.js';

test('the zoo has exactly the promised names', (t) => {
  t.deepEqual([...ZOO_NAMES].sort(), [
    ...['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7'].map((b) => `efficientnet-${b}`),
    ...['b0', 'b1', 'b2', 'b3', 's', 'm', 'l'].map((b) => `efficientnetv2-${b}`),
    'mobilenetv2',
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
