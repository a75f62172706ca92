// `npm run build` (and `npm install`): the worker's and the starters' TypeScript to CommonJS under dist/,
// one file per source file in the same layout, so paths relative to a module's own folder hold there too.
// Types are checked by `npm run typecheck`, not here.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// --outdir <dir>: elsewhere inside the checkout (a test builds into a scratch folder).
const at = process.argv.indexOf('--outdir');
const outdir = at > 0 ? resolve(process.argv[at + 1]) : resolve(root, 'dist');
const RUNTIME = ['workflows', 'activities', 'worker', 'temporal-client', 'starters', 'schemas', 'pii', 'storage', 'toolchain'];

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: [...RUNTIME.map((dir) => `${dir}/**/*.ts`), 'pii/**/*.json'],
  outdir,
  outbase: '.',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  loader: { '.json': 'copy' },
  logLevel: 'warning',
});
