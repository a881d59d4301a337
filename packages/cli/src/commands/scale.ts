import { validateCoefficients } from '@scalelab/arch';
import type { CompoundCoefficients, NetworkSpec } from '@scalelab/arch';
import { analyzeSpec, compoundFamily, publishedModel, scaleCompound } from '@scalelab/analyzer';
import type { ScaledModel } from '@scalelab/analyzer';
import { numberFlag, oneModel, parseFlags, requiredNumber } from '../args.js';
import { analysisJson } from '../analysis-json.js';
import { stageTable, summaryLines } from '../analysis-text.js';
import { UsageError } from '../errors.js';
import { csvTable, giga, humanCount, markdownTable, textTable } from '../format.js';
import type { Table } from '../format.js';
import { resolveModel } from '../model-source.js';
import { OUTPUT_FLAGS, outputFormat } from '../output.js';

export const SCALE_HELP = `Usage: scalelab scale <model|arch-file> --alpha A --beta B --gamma G (--phi P | --family [--phi-max K]) [options]

Compound scaling (Tan & Le 2019): depth d = α^φ, width w = β^φ, resolution r = γ^φ, with channels and repeats
rounded exactly as the reference implementation. Prints the nominal cost (α·β²·γ²)^φ next to the realized MACs
ratio against the unscaled model.

Options:
  --alpha A, --beta B, --gamma G   coefficients, each ≥ 1 (the paper's constraint)
  --phi P          the compound coefficient φ (any real number)
  --family         the family φ = 0…K as a table, beside the published B-models for efficientnet-b0
  --phi-max K      last φ of the family (default 7)
  --json           machine-readable output
  --csv | --md     the family (or stage) table as CSV or Markdown
  -h, --help       this help

Examples:
  scalelab scale efficientnet-b0 --alpha 1.2 --beta 1.1 --gamma 1.15 --phi 1
  scalelab scale efficientnet-b0 --alpha 1.2 --beta 1.1 --gamma 1.15 --family`;

export async function scaleCommand(argv: readonly string[]): Promise<string> {
  const p = parseFlags(argv, {
    alpha: { type: 'string' },
    beta: { type: 'string' },
    gamma: { type: 'string' },
    phi: { type: 'string' },
    family: { type: 'boolean' },
    'phi-max': { type: 'string' },
    ...OUTPUT_FLAGS,
  }, 'scale');
  if (p.values.help === true) return SCALE_HELP;
  const format = outputFormat(p);
  const source = resolveModel(oneModel(p, 'scale'));
  if (source.kind !== 'spec') throw new UsageError('scale needs a zoo model or an arch file, not a model file');
  const coefficients: CompoundCoefficients = {
    alpha: requiredNumber(p, 'alpha', { positive: true }),
    beta: requiredNumber(p, 'beta', { positive: true }),
    gamma: requiredNumber(p, 'gamma', { positive: true }),
  };
  validateCoefficients(coefficients);
  const family = p.values.family === true;
  const phi = numberFlag(p, 'phi');
  const phiMax = numberFlag(p, 'phi-max', { integer: true, min: 0 });
  if (family && phi !== undefined) throw new UsageError('give either --phi P or --family, not both');
  if (!family && phiMax !== undefined) throw new UsageError('--phi-max goes with --family');
  if (family) return familyOutput(source.spec, coefficients, phiMax ?? 7, format);
  if (phi === undefined) throw new UsageError('--phi is required (or --family for φ = 0…K)');
  return scaledOutput(source.spec, coefficients, phi, format);
}

const fixed = (x: number, digits: number): string => x.toFixed(digits);

function scaledOutput(baseline: NetworkSpec, c: CompoundCoefficients, phi: number, format: ReturnType<typeof outputFormat>): string {
  const base = analyzeSpec(baseline);
  const s = scaleCompound(baseline, c, phi, base.macs);
  switch (format) {
    case 'json':
      return JSON.stringify(
        {
          ...analysisJson(s.analysis, s.multipliers),
          coefficients: { ...c, phi },
          nominalCost: s.nominalCost,
          realizedMacsRatio: s.realizedMacsRatio,
          baseline: { model: baseline.name, resolution: base.resolution, params: base.params, macs: base.macs },
        },
        null,
        2,
      );
    case 'csv':
      return csvTable(stageTable(s.analysis));
    case 'md':
      return markdownTable(stageTable(s.analysis));
    case 'text':
      return [
        `${baseline.name} scaled with α=${c.alpha} β=${c.beta} γ=${c.gamma} φ=${phi}`,
        ...summaryLines(s.analysis, s.multipliers),
        `cost         nominal (α·β²·γ²)^φ = ${fixed(s.nominalCost, 4)}; realized MACs ratio = ${fixed(s.realizedMacsRatio, 4)} (baseline ${giga(base.macs)} MACs at ${base.resolution} px)`,
        '',
        textTable(stageTable(s.analysis)),
      ].join('\n');
  }
}

function familyRows(baseline: NetworkSpec, rows: readonly ScaledModel[]): Table {
  const published = rows.map((r) => publishedModel(baseline, r.phi));
  const withPublished = published.some((p) => p !== undefined);
  const columns = ['phi', 'depth', 'width', 'resolution', 'params', 'MACs', 'nominal cost', 'realized MACs ratio'];
  const publishedColumns = ['published', 'pub. resolution', 'pub. params', 'pub. MACs', 'paper params', 'paper MACs'];
  return {
    columns: withPublished ? [...columns, ...publishedColumns] : columns,
    numeric: [true, true, true, true, true, true, true, true, false, true, true, true, true, true],
    rows: rows.map((r, i) => {
      const row = [r.phi, fixed(r.multipliers.depth, 3), fixed(r.multipliers.width, 3), r.analysis.resolution, humanCount(r.analysis.params.total), giga(r.analysis.macs), fixed(r.nominalCost, 3), fixed(r.realizedMacsRatio, 3)];
      if (!withPublished) return row;
      const pub = published[i];
      return pub === undefined
        ? [...row, '', '', '', '', '', '']
        : [...row, pub.model, pub.resolution, humanCount(pub.params), giga(pub.macs), humanCount(pub.paper.params, 1), giga(pub.paper.macs, 2)];
    }),
  };
}

function familyOutput(baseline: NetworkSpec, c: CompoundCoefficients, phiMax: number, format: ReturnType<typeof outputFormat>): string {
  const rows = compoundFamily(baseline, c, phiMax);
  switch (format) {
    case 'json':
      return JSON.stringify(
        {
          baseline: baseline.name,
          coefficients: c,
          family: rows.map((r) => ({
            phi: r.phi,
            multipliers: r.multipliers,
            resolution: r.analysis.resolution,
            params: r.analysis.params,
            macs: r.analysis.macs,
            flops: r.analysis.flops,
            activations: r.analysis.activations,
            nominalCost: r.nominalCost,
            realizedMacsRatio: r.realizedMacsRatio,
            published: publishedModel(baseline, r.phi) ?? null,
          })),
        },
        null,
        2,
      );
    case 'csv':
      return csvTable(familyRows(baseline, rows));
    case 'md':
      return markdownTable(familyRows(baseline, rows));
    case 'text':
      return [
        `Compound scaling of ${baseline.name}: α=${c.alpha} β=${c.beta} γ=${c.gamma} (α·β²·γ² = ${fixed(c.alpha * c.beta ** 2 * c.gamma ** 2, 4)}), φ = 0…${phiMax}`,
        '',
        textTable(familyRows(baseline, rows)),
      ].join('\n');
  }
}
