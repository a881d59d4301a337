/** Human-readable renderings of an analysis: summary, per-stage and per-layer tables. */
import type { Multipliers } from '@scalelab/arch';
import type { Analysis } from '@scalelab/analyzer';
import { giga, grouped, humanCount } from './format.js';
import type { Table } from './format.js';

export function summaryLines(a: Analysis, m: Multipliers): string[] {
  const lines = [
    `model        ${a.model}`,
    `resolution   ${a.resolution} px`,
    `multipliers  depth ${fmt(m.depth)}  width ${fmt(m.width)}  resolution ${fmt(m.resolution)}`,
    `params       ${grouped(a.params.total)} (${humanCount(a.params.total)}): trainable ${grouped(a.params.trainable)}, non-trainable ${grouped(a.params.nonTrainable)}`,
    `MACs         ${grouped(a.macs)} (${giga(a.macs)}); FLOPs = 2 × MACs = ${giga(a.flops)}`,
    `activations  ${grouped(a.activations)} (${humanCount(a.activations)})`,
  ];
  if (a.file !== undefined) {
    lines.push(`file         ${a.file.format}`);
    const w = a.file.weights;
    if (w !== undefined) {
      lines.push(
        w.agrees
          ? `weights      ${w.source}: ${w.tensors} tensors, ${grouped(w.params)} params, equal to the topology's count`
          : `WEIGHTS DISAGREE  ${w.source} holds ${grouped(w.params)} params in ${w.tensors} tensors; the topology counts ${grouped(a.params.total)} (${signed(a.params.total - w.params)})`,
      );
    }
  }
  if (a.unsupported.length > 0) {
    lines.push(`NOT PRICED   ${a.unsupported.length} layer(s) of unsupported kinds, MACs unknown: ${a.unsupported.map((u) => `${u.name} (${u.className})`).join(', ')}`);
  }
  return lines;
}

const fmt = (x: number): string => String(Number(x.toPrecision(6)));
const signed = (n: number): string => (n > 0 ? `+${grouped(n)}` : `−${grouped(-n)}`);

export function stageTable(a: Analysis): Table {
  return {
    columns: ['stage', 'params', 'trainable', 'non-trainable', 'MACs', 'activations', 'MACs %'],
    numeric: [false, true, true, true, true, true, true],
    rows: a.byStage.map((s) => [
      s.stage,
      s.params.total,
      s.params.trainable,
      s.params.nonTrainable,
      s.macs,
      s.activations,
      a.macs > 0 ? ((100 * s.macs) / a.macs).toFixed(1) : '0.0',
    ]),
  };
}

export function layerTable(a: Analysis): Table {
  return {
    columns: ['name', 'kind', 'stage', 'output', 'params', 'trainable', 'non-trainable', 'MACs', 'activations'],
    numeric: [false, false, false, false, true, true, true, true, true],
    rows: (a.layers ?? []).map((l) => [l.name, l.kind, l.stage, l.outputShape.join('x'), l.params.total, l.params.trainable, l.params.nonTrainable, l.macs, l.activations]),
  };
}
