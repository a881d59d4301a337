/** Scaling rules as pure functions over specs (Tan & Le 2019, §3.3). */
import { ArchError } from './errors.js';
import { checkLimit } from './limits.js';
import { roundResolution } from './round.js';
import type { Multipliers, NetworkSpec } from './spec.js';

export interface CompoundCoefficients {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
}

function requirePositive(name: string, value: number, code: 'BAD_MULTIPLIER' | 'BAD_RESOLUTION'): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ArchError(code, `${name} must be a positive number, got ${String(value)}`);
  }
}

/** Reject coefficients the paper's constraint rules out: α, β, γ ≥ 1 (and finite). */
export function validateCoefficients(c: CompoundCoefficients): void {
  for (const [name, value] of [['alpha', c.alpha], ['beta', c.beta], ['gamma', c.gamma]] as const) {
    if (!Number.isFinite(value)) throw new ArchError('BAD_COEFFICIENT', `${name} must be a number, got ${String(value)}`);
    if (value < 1) throw new ArchError('BAD_COEFFICIENT', `${name} must be at least 1 (the paper's constraint α, β, γ ≥ 1), got ${value}`);
  }
}

/** Compound scaling: depth d = α^φ, width w = β^φ, resolution r = γ^φ. φ may be any real number. */
export function compoundMultipliers(c: CompoundCoefficients, phi: number): Multipliers {
  validateCoefficients(c);
  if (!Number.isFinite(phi)) throw new ArchError('BAD_COEFFICIENT', `phi must be a number, got ${String(phi)}`);
  checkLimit('phi', phi, 'φ');
  return { depth: c.alpha ** phi, width: c.beta ** phi, resolution: c.gamma ** phi };
}

/** The nominal FLOPs multiplier of compound scaling, α·β²·γ² per unit of φ. */
export function nominalCost(c: CompoundCoefficients, phi = 1): number {
  return (c.alpha * c.beta ** 2 * c.gamma ** 2) ** phi;
}

/**
 * Scale a spec: multipliers compose with the spec's own (so rounding always starts from the base channels and
 * repeats), resolution becomes round(R · r).
 */
export function scaleSpec(spec: NetworkSpec, m: Multipliers): NetworkSpec {
  requirePositive('depth multiplier', m.depth, 'BAD_MULTIPLIER');
  requirePositive('width multiplier', m.width, 'BAD_MULTIPLIER');
  requirePositive('resolution multiplier', m.resolution, 'BAD_MULTIPLIER');
  const resolution = roundResolution(spec.input.resolution, m.resolution);
  if (resolution < 1) {
    throw new ArchError('BAD_RESOLUTION', `resolution ${spec.input.resolution} × ${m.resolution} rounds to ${resolution}; it must be at least 1`);
  }
  checkLimit('resolution', resolution, `resolution ${spec.input.resolution} × ${m.resolution.toPrecision(4)}`);
  return {
    ...spec,
    input: { ...spec.input, resolution },
    width: spec.width * m.width,
    depth: spec.depth * m.depth,
  };
}

/** The same spec at another input resolution (pixels). */
export function withResolution(spec: NetworkSpec, resolution: number): NetworkSpec {
  if (!Number.isInteger(resolution) || resolution < 1) {
    throw new ArchError('BAD_RESOLUTION', `resolution must be a whole number of pixels ≥ 1, got ${String(resolution)}`);
  }
  checkLimit('resolution', resolution, 'the resolution');
  return { ...spec, input: { ...spec.input, resolution } };
}

/** The same spec with another number of classes. */
export function withClasses(spec: NetworkSpec, classes: number): NetworkSpec {
  if (!Number.isInteger(classes) || classes < 1) {
    throw new ArchError('BAD_SPEC', `classes must be a whole number ≥ 1, got ${String(classes)}`);
  }
  checkLimit('classes', classes, 'the number of classes');
  return { ...spec, classes };
}
