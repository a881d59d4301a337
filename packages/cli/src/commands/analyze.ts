import { withClasses } from '@scalelab/arch';
import type { Multipliers } from '@scalelab/arch';
import { analyzeModelFile, analyzeSpec } from '@scalelab/analyzer';
import type { Analysis } from '@scalelab/analyzer';
import { numberFlag, oneModel, parseFlags, stringFlag } from '../args.js';
import { analysisJson } from '../analysis-json.js';
import { layerTable, stageTable, summaryLines } from '../analysis-text.js';
import { UsageError } from '../errors.js';
import { csvTable, markdownTable, textTable } from '../format.js';
import { MODEL_OVERRIDE_FLAGS, applyOverrides, hasOverrides, modelOverrides } from '../model-overrides.js';
import { resolveModel } from '../model-source.js';
import { OUTPUT_FLAGS, outputFormat } from '../output.js';

export const ANALYZE_HELP = `Usage: scalelab analyze <model|arch-file|model-file|model-folder> [options]

Exact parameters (trainable / non-trainable), multiply-accumulates (MACs; FLOPs = 2 × MACs) and activations of a
zoo model, an arch file (timm stage strings, one per line, after a small header) or a model file: a TF.js layers
model.json (as TF.js or tensorflowjs_converter writes it) or its folder, a TF.js graph model, a Keras .keras
archive, or a Keras topology JSON. A model file's params are checked against its own weight shapes.

Options:
  --resolution N   input resolution in pixels (default: the model's)
  --width W        width multiplier applied to the model (default 1)
  --depth D        depth multiplier applied to the model (default 1)
  --classes K      number of classes (default: the model's)
  --input-shape S  a model file's per-example input shape, e.g. 224,224,3 (when its input size is not fixed)
  --layers         add the per-layer table
  --json           machine-readable output (stable fields)
  --csv | --md     the stage table (or, with --layers, the layer table) as CSV or Markdown
  -h, --help       this help

Examples:
  scalelab analyze efficientnet-b0
  scalelab analyze efficientnet-b0 --width 1.4 --depth 1.8 --resolution 380 --json
  scalelab analyze my-net.arch --layers --md
  scalelab analyze path/to/tfjs-model/ --layers`;

/** `224,224,3` → [224, 224, 3]. */
function inputShapeFlag(raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  const dims = raw.split(/[,x×]/).map((d) => Number(d.trim()));
  if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new UsageError(`--input-shape must be whole numbers ≥ 1 separated by commas, e.g. 224,224,3; got '${raw}'`);
  }
  return dims;
}

export async function analyzeCommand(argv: readonly string[]): Promise<string> {
  const p = parseFlags(argv, {
    ...MODEL_OVERRIDE_FLAGS,
    classes: { type: 'string' },
    layers: { type: 'boolean' },
    'input-shape': { type: 'string' },
    ...OUTPUT_FLAGS,
  }, 'analyze');
  if (p.values.help === true) return ANALYZE_HELP;
  const format = outputFormat(p);
  const source = resolveModel(oneModel(p, 'analyze'));
  const overrides = modelOverrides(p);
  const classes = numberFlag(p, 'classes', { integer: true, positive: true });
  const layers = p.values.layers === true;

  let analysis: Analysis;
  let multipliers: Multipliers = { depth: 1, width: 1, resolution: 1 };
  const inputShape = inputShapeFlag(stringFlag(p, 'input-shape'));
  if (source.kind === 'model-file') {
    if (hasOverrides(overrides) || classes !== undefined) {
      throw new UsageError('--resolution, --width, --depth and --classes apply to zoo models and arch files, not to a model file (use --input-shape)');
    }
    analysis = analyzeModelFile(source.path, { layers, ...(inputShape === undefined ? {} : { inputShape }) });
  } else {
    if (inputShape !== undefined) throw new UsageError('--input-shape applies to model files; zoo models and arch files take --resolution');
    const applied = applyOverrides(source.spec, overrides);
    multipliers = applied.multipliers;
    analysis = analyzeSpec(classes === undefined ? applied.spec : withClasses(applied.spec, classes), { layers });
  }

  switch (format) {
    case 'json':
      return JSON.stringify(analysisJson(analysis, multipliers), null, 2);
    case 'csv':
      return csvTable(layers ? layerTable(analysis) : stageTable(analysis));
    case 'md':
      return markdownTable(layers ? layerTable(analysis) : stageTable(analysis));
    case 'text':
      return [...summaryLines(analysis, multipliers), '', textTable(stageTable(analysis)), ...(layers ? ['', textTable(layerTable(analysis))] : [])].join('\n');
  }
}
