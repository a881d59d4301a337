/** The stable JSON shape of an analysis (`--json`), for scripts. */
import type { Multipliers } from '@scalelab/arch';
import type { Analysis } from '@scalelab/analyzer';

export interface AnalysisJson {
  readonly model: string;
  readonly resolution: number;
  readonly multipliers: Multipliers;
  readonly params: Analysis['params'];
  readonly macs: number;
  readonly flops: number;
  readonly activations: number;
  readonly byStage: Analysis['byStage'];
  readonly byKind: Analysis['byKind'];
  readonly unsupported: Analysis['unsupported'];
  /** Model files only: the format read and the params check against the file's weights. */
  readonly file?: Analysis['file'];
  readonly layers?: readonly {
    readonly name: string;
    readonly kind: string;
    readonly stage: string;
    readonly outputShape: readonly number[];
    readonly params: Analysis['params'];
    readonly macs: number;
    readonly activations: number;
  }[];
}

export function analysisJson(a: Analysis, multipliers: Multipliers): AnalysisJson {
  return {
    model: a.model,
    resolution: a.resolution,
    multipliers,
    params: a.params,
    macs: a.macs,
    flops: a.flops,
    activations: a.activations,
    byStage: a.byStage,
    byKind: a.byKind,
    unsupported: a.unsupported,
    ...(a.file === undefined ? {} : { file: a.file }),
    ...(a.layers === undefined
      ? {}
      : { layers: a.layers.map((l) => ({ name: l.name, kind: l.kind, stage: l.stage, outputShape: l.outputShape, params: l.params, macs: l.macs, activations: l.activations })) }),
  };
}
