// `npm run build` (and `npm install`): what the npm scripts run, compiled to dist/. Types are checked by
// `npm run typecheck`, not here.
// - The runtime folders' TypeScript to CommonJS, one file per source file in the same layout, so paths
//   relative to a module's own folder hold there too.
// - The workflows bundled once for the worker (dist/workflow-bundle.js), so a worker does not run the bundler
//   (and keep its memory) at every start.
// - Each Temporal starter bundled into one file (dist/bin/<name>.bundle.js): Node then reads one file instead
//   of resolving hundreds, which is most of a starter's start-to-exit.
// - dist/bin/<name>.js, the entries the npm scripts run: each rebuilds dist/ first if a source changed since.
import { build } from 'esbuild';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// --outdir <dir>: elsewhere inside the checkout (a test builds into a scratch folder).
const at = process.argv.indexOf('--outdir');
const target = at > 0 ? resolve(process.argv[at + 1]) : resolve(root, 'dist');
// Built beside the target, then swapped in: a program started meanwhile (or a second build at once) never
// loads a half-written dist/.
const outdir = `${target}.building-${process.pid}`;
process.on('exit', () => rmSync(outdir, { recursive: true, force: true }));
const RUNTIME = ['workflows', 'activities', 'worker', 'temporal-client', 'starters', 'schemas', 'pii', 'storage', 'toolchain'];
const BUNDLED_STARTERS = ['uid2-subscription', 'uid2-matching', 'amc-id-mapping', 'audience-upload', 'prepare-identity-data', 'schedules'];
// Run as compiled, unbundled: the worker bundles nothing of its own at start, and prep's threads load modules by path.
const UNBUNDLED = { worker: 'worker/main.js', prep: 'starters/prep.js' };
const common = { absWorkingDir: root, platform: 'node', format: 'cjs', target: 'node20', sourcemap: true, logLevel: 'warning' };

rmSync(outdir, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: [...RUNTIME.map((dir) => `${dir}/**/*.ts`), 'pii/**/*.json'],
  outdir,
  outbase: '.',
  loader: { '.json': 'copy' },
});
await build({
  ...common,
  entryPoints: Object.fromEntries(BUNDLED_STARTERS.map((name) => [`${name}.bundle`, `starters/${name}.ts`])),
  outdir: join(outdir, 'bin'),
  bundle: true,
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
});

const require = createRequire(import.meta.url);
const { bundleWorkflowCode } = require('@temporalio/worker');
const noop = () => undefined;
const { workflowBundleOptions } = require(join(outdir, 'worker/workflow-bundle-options.js'));
const { code } = await bundleWorkflowCode({
  ...workflowBundleOptions(),
  logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop },
});
writeFileSync(join(outdir, 'workflow-bundle.js'), code);

// A bundle's FAILURE_CONVERTER_PATH is its own folder's failure-converter.js (the client loads it by path).
const binFiles = {
  'failure-converter.js': `module.exports = require('../temporal-client/codec/failure-converter.js');\n`,
  ...Object.fromEntries(BUNDLED_STARTERS.map((name) => [`${name}.js`, entry(`./${name}.bundle.js`)])),
  ...Object.fromEntries(Object.entries(UNBUNDLED).map(([name, path]) => [`${name}.js`, entry(`../${path}`)])),
};
mkdirSync(join(outdir, 'bin'), { recursive: true });
for (const [file, text] of Object.entries(binFiles)) writeFileSync(join(outdir, 'bin', file), text);

const { sourceStamp } = require(join(outdir, 'toolchain/source-stamp.js'));
writeFileSync(join(outdir, 'build-stamp.json'), `${JSON.stringify(sourceStamp(root, RUNTIME), null, 2)}\n`);
rmSync(target, { recursive: true, force: true });
renameSync(outdir, target);

function entry(program) {
  return `'use strict';\nrequire('../toolchain/fresh-build.js').ensureFreshBuild();\nrequire(${JSON.stringify(program)});\n`;
}
