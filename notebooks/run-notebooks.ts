/**
 * `npm run notebooks`: execute every notebook under notebooks/ top to bottom with the tslab TypeScript kernel
 * (Debian's jupyter-nbconvert and nbclient drive it), failing on any cell error — a type error included, which tslab
 * reports as one. Notebooks run on a copy under build/notebooks/run (inside the repository, so the kernel resolves
 * @scalelab/* from its node_modules as the notebook would); `--update` writes the executed outputs back, so the
 * committed notebooks read well without running them. The kernel spec is installed first when it is missing.
 *
 *   npm run notebooks                      # check: every notebook runs clean
 *   npm run notebooks -- --update          # run and keep the outputs
 *   npm run notebooks -- 01-efficientnet-family.ipynb
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const NOTEBOOKS = join(ROOT, 'notebooks');
const TSLAB = join(ROOT, 'node_modules/.bin/tslab');
/** Debian's Python, where jupyter, ipykernel and nbclient live (the python3 first on PATH may lack them). */
const PYTHON = process.env.SCALELAB_PYTHON ?? '/usr/bin/python3';
/** Each notebook is meant to run in under 3 minutes here; this only catches a hang. */
const TIMEOUT_SECONDS = 900;

function fail(message: string): never {
  process.stderr.write(`notebooks: ${message}\n`);
  process.exit(2);
}

function kernelInstalled(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import jupyter_client.kernelspec as k, json; print(json.dumps(k.find_kernel_specs()))'], { encoding: 'utf8' });
  if (r.status !== 0) fail(`${PYTHON} cannot load jupyter_client (install Debian's jupyter-nbconvert, python3-ipykernel, python3-nbclient): ${r.stderr.trim().split('\n').pop() ?? ''}`);
  return 'tslab' in (JSON.parse(r.stdout) as Record<string, string>);
}

function installKernel(): void {
  if (!existsSync(TSLAB)) fail(`no tslab at ${TSLAB} (run npm ci)`);
  // The kernel spec calls tslab by this path, and tslab imports IPython from this Python.
  const r = spawnSync(TSLAB, ['install', `--python=${PYTHON}`, `--binary=${TSLAB}`], { encoding: 'utf8' });
  if (r.status !== 0) fail(`tslab install failed: ${r.stderr}`);
  process.stdout.write('installed the tslab kernel spec\n');
}

interface Outcome {
  readonly notebook: string;
  readonly seconds: number;
  readonly error: string | null;
}

/**
 * Executes a notebook with nbclient, cell by cell, and records every cell whose execute reply is an error: tslab
 * reports a type error as an error reply with the message on stderr (no error output), which nbconvert's own exit
 * status would show without the message. Prints {"failed": [{"cell", "source", "stderr", "evalue"}]} as JSON.
 */
const EXECUTE = `
import json, sys
import nbformat
from nbclient import NotebookClient
path, timeout = sys.argv[1], int(sys.argv[2])
nb = nbformat.read(path, as_version=4)
failed = []
def executed(cell, cell_index, execute_reply):
    content = execute_reply.get("content", {})
    if content.get("status") == "error":
        stderr = "".join("".join(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stderr")
        failed.append({"cell": cell_index + 1, "source": cell.source.split("\\n")[0][:80], "stderr": stderr.strip(), "evalue": content.get("evalue", "")})
client = NotebookClient(nb, kernel_name="tslab", timeout=timeout, allow_errors=True, on_cell_executed=executed)
client.execute()
nbformat.write(nb, path)
print(json.dumps({"failed": failed}))
`;

function execute(notebook: string, work: string, update: boolean): Outcome {
  const copy = join(work, notebook);
  copyFileSync(join(NOTEBOOKS, notebook), copy);
  const t0 = performance.now();
  // The kernel starts in the copy's folder, inside the repository: @scalelab/* resolve from its node_modules.
  const r = spawnSync(PYTHON, ['-c', EXECUTE, copy, String(TIMEOUT_SECONDS)], { cwd: work, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) return { notebook, seconds, error: r.stderr.split('\n').filter((l) => l.trim() !== '').slice(-12).join('\n') };
  const { failed } = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{"failed":[]}') as { failed: { cell: number; source: string; stderr: string; evalue: string }[] };
  const first = failed[0];
  if (first !== undefined) return { notebook, seconds, error: `cell ${first.cell} (${first.source}…) failed${first.evalue === '' ? '' : `: ${first.evalue}`}\n${first.stderr}`.trim() };
  if (update) copyFileSync(copy, join(NOTEBOOKS, notebook));
  return { notebook, seconds, error: null };
}

const args = process.argv.slice(2);
const update = args.includes('--update');
const named = args.filter((a) => !a.startsWith('--'));
const all = readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.ipynb')).sort();
// A notebook may be named with or without its .ipynb.
const chosen = named.length === 0 ? all : named.map((n) => (n.endsWith('.ipynb') ? n : `${n}.ipynb`));
for (const n of chosen) if (!all.includes(n)) fail(`no notebook ${n} in notebooks/ (have: ${all.join(', ')})`);
if (!kernelInstalled()) installKernel();
mkdirSync(join(ROOT, 'build/notebooks'), { recursive: true });
const work = mkdtempSync(join(ROOT, 'build/notebooks/run-'));
const outcomes = chosen.map((n) => {
  process.stdout.write(`running ${n} … `);
  const o = execute(n, work, update);
  process.stdout.write(o.error === null ? `ok (${o.seconds.toFixed(0)} s)\n` : `FAILED (${o.seconds.toFixed(0)} s)\n${o.error}\n`);
  return o;
});
const failed = outcomes.filter((o) => o.error !== null);
// A notebook is committed with outputs: an unexecuted one (no outputs anywhere) is a mistake worth naming.
for (const n of all) {
  const cells = (JSON.parse(readFileSync(join(NOTEBOOKS, n), 'utf8')) as { cells: { cell_type: string; outputs?: unknown[] }[] }).cells;
  if (!cells.some((c) => (c.outputs ?? []).length > 0)) process.stdout.write(`note: ${n} is committed without outputs (run npm run notebooks -- --update)\n`);
}
process.stdout.write(`${outcomes.length - failed.length}/${outcomes.length} notebooks ran clean${update ? ', outputs written back' : ''}\n`);
process.exit(failed.length === 0 ? 0 : 1);
