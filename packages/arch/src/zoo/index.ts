import { ArchError } from '../errors.js';
import type { NetworkSpec } from '../spec.js';
import { DENSENET_NAMES, densenet } from './densenet.js';
import { EFFICIENTNET_COEFFICIENTS, efficientnet } from './efficientnet.js';
import { EFFICIENTNET_LITE_COEFFICIENTS, efficientnetLite } from './efficientnet-lite.js';
import { EFFICIENTNETV2_NAMES, efficientnetv2 } from './efficientnetv2.js';
import { mobilenetv1 } from './mobilenetv1.js';
import { mobilenetv2 } from './mobilenetv2.js';
import { proxyB0 } from './proxy.js';
import { RESNET_NAMES, resnet } from './resnet.js';

const ZOO: ReadonlyMap<string, () => NetworkSpec> = new Map<string, () => NetworkSpec>([
  ...Object.entries(EFFICIENTNET_COEFFICIENTS).map(([name, c]) => [name, () => efficientnet(name, c)] as const),
  ...Object.entries(EFFICIENTNET_LITE_COEFFICIENTS).map(([name, c]) => [name, () => efficientnetLite(name, c)] as const),
  ...EFFICIENTNETV2_NAMES.map((name) => [name, () => efficientnetv2(name)] as const),
  ['mobilenetv1', mobilenetv1],
  ['mobilenetv2', mobilenetv2],
  ...RESNET_NAMES.map((name) => [name, () => resnet(name)] as const),
  ...DENSENET_NAMES.map((name) => [name, () => densenet(name)] as const),
  ['proxy-b0', proxyB0],
]);

/** Every model name the zoo knows, in a stable order. */
export const ZOO_NAMES: readonly string[] = [...ZOO.keys()];

export function isZooModel(name: string): boolean {
  return ZOO.has(name);
}

/** A zoo network by name (`efficientnet-b0`, `proxy-b0`, `resnet50`, …; `ZOO_NAMES` lists them); unknown names throw, listing the known ones. */
export function zooModel(name: string): NetworkSpec {
  const make = ZOO.get(name);
  if (make === undefined) {
    throw new ArchError('UNKNOWN_MODEL', `unknown model '${name}' (known: ${ZOO_NAMES.join(', ')})`);
  }
  return make();
}

export { EFFICIENTNET_COEFFICIENTS, EFFICIENTNET_PAPER_TABLE } from './efficientnet.js';
export { EFFICIENTNET_LITE_COEFFICIENTS } from './efficientnet-lite.js';
export type { PublishedCoefficients } from './efficientnet.js';
export { KERAS_APPLICATIONS_PARAMS } from './keras-params.js';
