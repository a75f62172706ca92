import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../../../toolchain/paths';

/**
 * The prep worker threads' code, compiled once to plain JavaScript, so no thread registers tsx's loader and
 * compiles each module itself. It is built at run time (no build step to remember) with the esbuild that
 * tsx brings, and kept in a cache (node_modules/.cache) keyed by the SHA-256 of every source file it was
 * built from: a change to any of them builds it again. When it cannot be built (no esbuild, a read-only
 * disk), the workers load the TypeScript through tsx.
 */

/** The part of esbuild's API used here. */
interface Esbuild {
  version: string;
  buildSync(options: Record<string, unknown>): { outputFiles?: { text: string }[]; metafile?: { inputs: Record<string, unknown> } };
}

/** Bump when the build below changes, so bundles built the old way are not used. */
const BUILD_VERSION = 1;
const ROOT = PROJECT_ROOT;
/** The engine's task: TypeScript from source, or its compiled JavaScript under dist/. */
const TASK = join(__dirname, '..', 'chunk', `chunk-task${extname(__filename)}`);
/** The worker entry that registers tsx and loads the source: the fallback. */
const TSX_ENTRY = join(ROOT, 'pii', 'prep', 'threads', 'chunk-worker.cjs');
/** The bundle's entry, given to esbuild as text: it names the task function as the module's export. */
const ENTRY = join(__dirname, 'chunk-worker-entry.js');

interface CacheEntry {
  /** Absolute path of each source file → its SHA-256. */
  inputs: Record<string, string>;
  bundle: string;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

function cacheDir(): string {
  const modules = join(ROOT, 'node_modules');
  return existsSync(modules) ? join(modules, '.cache', 'identity-workflows-prep') : join(tmpdir(), 'identity-workflows-prep');
}

function loadEsbuild(): Esbuild {
  // esbuild is tsx's dependency, not the project's: resolved from tsx, wherever npm placed it.
  const fromHere = createRequire(TASK);
  return createRequire(fromHere.resolve('tsx/package.json'))('esbuild') as Esbuild;
}

function upToDate(entry: CacheEntry, dir: string): boolean {
  if (typeof entry.bundle !== 'string' || !existsSync(join(dir, basename(entry.bundle)))) return false;
  for (const [path, digest] of Object.entries(entry.inputs)) {
    if (!existsSync(path) || sha256(readFileSync(path)) !== digest) return false;
  }
  return true;
}

/** Writes through a temporary name, so a concurrent run never reads a half-written file. */
function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

function build(esbuild: Esbuild, dir: string, entryPath: string): string {
  // Bare imports (papaparse, piscina, libphonenumber-js) stay requires, resolved as from this directory
  // wherever the bundle lives: the same modules the TypeScript would load.
  const paths = createRequire(TASK).resolve.paths('papaparse') ?? [];
  const result = esbuild.buildSync({
    stdin: { contents: `module.exports = require(${JSON.stringify(TASK)}).runChunkTask;`, resolveDir: __dirname, sourcefile: basename(ENTRY), loader: 'js' },
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    packages: 'external',
    banner: { js: `module.paths = ${JSON.stringify(paths)};` },
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const text = result.outputFiles?.[0]?.text;
  if (!text || !result.metafile) throw new Error('esbuild produced no bundle');
  const inputs: Record<string, string> = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const path = resolve(ROOT, input);
    if (path === ENTRY) continue;
    inputs[path] = sha256(readFileSync(path));
  }
  const bundle = `chunk-worker-${sha256(text).slice(0, 16)}.cjs`;
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, bundle))) writeAtomically(join(dir, bundle), text);
  // A bundle built before is left in place: a long-running process (a Temporal worker) may still start threads from it.
  writeAtomically(entryPath, JSON.stringify({ inputs, bundle } satisfies CacheEntry));
  return join(dir, bundle);
}

function readEntry(entryPath: string): CacheEntry | undefined {
  try {
    return JSON.parse(readFileSync(entryPath, 'utf8')) as CacheEntry;
  } catch {
    return undefined;
  }
}

function bundled(): string | undefined {
  try {
    const esbuild = loadEsbuild();
    const dir = cacheDir();
    // One entry per checkout, Node major and esbuild version: the bundle names this checkout's directories.
    const key = sha256(JSON.stringify([BUILD_VERSION, ROOT, process.versions.node.split('.')[0], esbuild.version])).slice(0, 16);
    const entryPath = join(dir, `chunk-worker-${key}.json`);
    const entry = readEntry(entryPath);
    if (entry && upToDate(entry, dir)) return join(dir, basename(entry.bundle));
    return build(esbuild, dir, entryPath);
  } catch {
    return undefined;
  }
}

/** Node options that load code before the entry: `--require x`, `--import=x`, ... */
const PRELOAD_FLAGS = new Set(['--require', '-r', '--import', '--loader', '--experimental-loader']);

/** Whether a preload names tsx (its package, or a file of it by path or URL; real paths, as node_modules may hold links). */
function isTsx(value: string, tsxDir: string): boolean {
  if (value === 'tsx' || value.startsWith('tsx/')) return true;
  try {
    const path = realpathSync(value.startsWith('file:') ? fileURLToPath(value) : resolve(value));
    return path.startsWith(tsxDir + sep);
  } catch {
    return false;
  }
}

/**
 * The process's Node options less tsx's loader. Worker threads start with the process's options, so under
 * tsx (`npm run prep`, or a CommonJS `--require tsx/cjs`) each would load tsx's loader first, for a
 * bundle that is plain JavaScript. Every other option is kept; when a worker refuses
 * one (V8's, such as the npm scripts' --single-threaded-gc, which hold for every thread anyway), the executor
 * starts the workers with none (`threadExecutor`).
 */
function withoutTsx(execArgv: string[]): string[] {
  const tsxDir = realpathSync(dirname(createRequire(TASK).resolve('tsx/package.json')));
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const eq = arg.indexOf('=');
    if (PRELOAD_FLAGS.has(eq > 0 ? arg.slice(0, eq) : arg)) {
      const value = eq > 0 ? arg.slice(eq + 1) : execArgv[i + 1];
      if (value !== undefined && isTsx(value, tsxDir)) {
        if (eq < 0) i++;
        continue;
      }
    }
    kept.push(arg);
  }
  return kept;
}

export interface ChunkWorker {
  /** The file the threads load. */
  filename: string;
  /** Their Node options; undefined: the process's. */
  execArgv?: string[];
}

let chunkWorkerSpec: ChunkWorker | undefined;

/** How the prep worker threads start: the compiled bundle without tsx, or the tsx entry when the bundle cannot be had. */
export function chunkWorker(): ChunkWorker {
  if (!chunkWorkerSpec) {
    const bundle = bundled();
    chunkWorkerSpec = bundle ? { filename: bundle, execArgv: withoutTsx(process.execArgv) } : { filename: TSX_ENTRY };
  }
  return chunkWorkerSpec;
}

