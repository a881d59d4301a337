/** `--resolution`, `--width`, `--depth`: one meaning for every command that takes a model. */
import { scaleSpec, withResolution } from '@scalelab/arch';
import type { Multipliers, NetworkSpec } from '@scalelab/arch';
import { numberFlag } from './args.js';
import type { Parsed } from './args.js';

export const MODEL_OVERRIDE_FLAGS = {
  resolution: { type: 'string' },
  width: { type: 'string' },
  depth: { type: 'string' },
} as const;

export interface ModelOverrides {
  /** Input resolution in pixels, replacing the model's. */
  readonly resolution?: number;
  /** Width and depth multipliers, composed with the model's own. */
  readonly width?: number;
  readonly depth?: number;
}

export function modelOverrides(p: Parsed): ModelOverrides {
  const resolution = numberFlag(p, 'resolution', { integer: true, positive: true });
  const width = numberFlag(p, 'width', { positive: true });
  const depth = numberFlag(p, 'depth', { positive: true });
  return { ...(resolution === undefined ? {} : { resolution }), ...(width === undefined ? {} : { width }), ...(depth === undefined ? {} : { depth }) };
}

export const hasOverrides = (o: ModelOverrides): boolean => o.resolution !== undefined || o.width !== undefined || o.depth !== undefined;

/** The overridden spec and the multipliers used, relative to `spec`. */
export function applyOverrides(spec: NetworkSpec, o: ModelOverrides): { spec: NetworkSpec; multipliers: Multipliers } {
  let scaled = scaleSpec(spec, { depth: o.depth ?? 1, width: o.width ?? 1, resolution: 1 });
  if (o.resolution !== undefined) scaled = withResolution(scaled, o.resolution);
  return { spec: scaled, multipliers: { depth: o.depth ?? 1, width: o.width ?? 1, resolution: scaled.input.resolution / spec.input.resolution } };
}
