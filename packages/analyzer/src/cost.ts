/**
 * Cost records and the accumulator every analysis folds layers into.
 * Conventions: MACs are multiply-accumulates of conv, depthwise, SE and dense layers (biases, BN, activations
 * and pooling are not counted); `flops = 2 × macs`; activations are the output elements of conv and dense layers.
 * The EfficientNet paper's "FLOPS" are MACs.
 */
import { checkLimit } from '@scalelab/arch';

/** Weight counts. Non-trainable: BN moving mean/variance and Keras `Normalization` statistics. */
export interface ParamCount {
  readonly trainable: number;
  readonly nonTrainable: number;
  readonly total: number;
}

/**
 * `conv` k×k convolution (k > 1), `pointwise` 1×1 convolution (incl. SE), `depthwise`, `bn` batch norm,
 * `dense`, `normalization` input normalization; from a TF.js model also `other` (priced, no MACs by nature)
 * and `unsupported` (params from its weights, MACs unknown).
 */
export type LayerKind = 'conv' | 'pointwise' | 'depthwise' | 'bn' | 'dense' | 'normalization' | 'other' | 'unsupported';

/** One row of the per-layer table: its kind, output shape, params, MACs and activations. */
export interface LayerCost {
  readonly name: string;
  readonly kind: LayerKind;
  /** `stem`, `stage1`…, `head`, `classifier` for specs; the layer's class name for TF.js models. */
  readonly stage: string;
  /** Per example, no batch dimension. */
  readonly outputShape: readonly number[];
  readonly params: ParamCount;
  readonly macs: number;
  readonly activations: number;
}

export interface CostTotals {
  readonly params: ParamCount;
  readonly macs: number;
  readonly flops: number;
  readonly activations: number;
}

export interface Analysis extends CostTotals {
  readonly model: string;
  readonly resolution: number;
  /** Totals per stage, in network order. */
  readonly byStage: readonly ({ readonly stage: string } & CostTotals)[];
  /** Totals per layer kind, in a fixed order, kinds with no layers left out. */
  readonly byKind: readonly ({ readonly kind: LayerKind } & CostTotals)[];
  /** Per-layer records; present when asked for (`{ layers: true }`). */
  readonly layers?: readonly LayerCost[];
  /** Layers whose MACs could not be priced (TF.js models only): name and class. */
  readonly unsupported: readonly { readonly name: string; readonly className: string }[];
  /** Set when the analysis comes from a model file: what was read and how its weights compare. */
  readonly file?: ModelFileReport;
}

/** What a model file was read as, and the params counted from its topology checked against its own weights. */
export interface ModelFileReport {
  /** E.g. `TF.js layers model (tensorflowjs_converter, Keras 2.2.4)`, `Keras 3 .keras archive`, `TF.js graph model`. */
  readonly format: string;
  /** Absent when the file holds no weight shapes (a bare topology). */
  readonly weights?: WeightsCheck;
}

export interface WeightsCheck {
  /** Where the shapes come from: `weightsManifest` or `model.weights.h5`. */
  readonly source: string;
  /** Weight tensors and their elements in that source. */
  readonly tensors: number;
  readonly params: number;
  /** The analysis' total equals `params`. A disagreement is reported, never hidden. */
  readonly agrees: boolean;
}

const KIND_ORDER: readonly LayerKind[] = ['normalization', 'conv', 'pointwise', 'depthwise', 'bn', 'dense', 'other', 'unsupported'];

class Totals {
  used = false;
  trainable = 0;
  nonTrainable = 0;
  macs = 0;
  activations = 0;
  add(trainable: number, nonTrainable: number, macs: number, activations: number): void {
    this.used = true;
    this.trainable += trainable;
    this.nonTrainable += nonTrainable;
    this.macs += macs;
    this.activations += activations;
  }
  freeze(): CostTotals {
    return {
      params: { trainable: this.trainable, nonTrainable: this.nonTrainable, total: this.trainable + this.nonTrainable },
      macs: this.macs,
      flops: 2 * this.macs,
      activations: this.activations,
    };
  }
}

/**
 * Folds layers into totals, per-stage and per-kind sums, and (optionally) per-layer records. Built for speed
 * (search prices thousands of candidates): the current stage is chosen once per block, and layer names and
 * shapes are only materialized when records are kept.
 */
export class CostAccumulator {
  private readonly total = new Totals();
  private readonly stages = new Map<string, Totals>();
  private readonly kinds = new Map<LayerKind, Totals>(KIND_ORDER.map((k) => [k, new Totals()]));
  private readonly records: LayerCost[] | undefined;
  private readonly unsupported: { name: string; className: string }[] = [];
  private stageName = '';
  private stageTotals: Totals = new Totals();

  constructor(keepLayers: boolean) {
    this.records = keepLayers ? [] : undefined;
  }

  /** Layers added from now on belong to `stage`. */
  setStage(stage: string): void {
    if (stage === this.stageName) return;
    let s = this.stages.get(stage);
    if (s === undefined) this.stages.set(stage, (s = new Totals()));
    this.stageName = stage;
    this.stageTotals = s;
  }

  private sum(kind: LayerKind, trainable: number, nonTrainable: number, macs: number, activations: number): void {
    this.total.add(trainable, nonTrainable, macs, activations);
    this.stageTotals.add(trainable, nonTrainable, macs, activations);
    (this.kinds.get(kind) as Totals).add(trainable, nonTrainable, macs, activations);
  }

  private record(name: string, kind: LayerKind, outputShape: readonly number[], trainable: number, nonTrainable: number, macs: number, activations: number): void {
    this.records?.push({
      name,
      kind,
      stage: this.stageName,
      outputShape,
      params: { trainable, nonTrainable, total: trainable + nonTrainable },
      macs,
      activations,
    });
  }

  add(name: string, kind: LayerKind, outputShape: readonly number[], trainable: number, nonTrainable: number, macs: number, activations: number): void {
    this.sum(kind, trainable, nonTrainable, macs, activations);
    this.record(name, kind, outputShape, trainable, nonTrainable, macs, activations);
  }

  /** A layer with a square `size`×`size`×`channels` output, named `prefix + suffix`. */
  addSpatial(prefix: string, suffix: string, kind: LayerKind, size: number, channels: number, trainable: number, nonTrainable: number, macs: number, activations: number): void {
    this.sum(kind, trainable, nonTrainable, macs, activations);
    if (this.records !== undefined) this.record(prefix + suffix, kind, [size, size, channels], trainable, nonTrainable, macs, activations);
  }

  markUnsupported(name: string, className: string): void {
    this.unsupported.push({ name, className });
  }

  finish(model: string, resolution: number): Analysis {
    const totals = this.total.freeze();
    checkLimit('params', totals.params.total, `${model}: the parameter count`);
    checkLimit('macs', totals.macs, `${model}: the MACs`);
    checkLimit('activations', totals.activations, `${model}: the activations`);
    const byKind = KIND_ORDER.flatMap((kind) => {
      const t = this.kinds.get(kind) as Totals;
      return t.used ? [{ kind, ...t.freeze() }] : [];
    });
    return {
      model,
      resolution,
      ...totals,
      byStage: [...this.stages].map(([stage, t]) => ({ stage, ...t.freeze() })),
      byKind,
      ...(this.records === undefined ? {} : { layers: this.records }),
      unsupported: this.unsupported,
    };
  }
}
