import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The nearest folder above with a package.json: the checkout, whether this runs from source or from dist/. */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PROJECT_ROOT = projectRoot(__dirname);

/** Where scripts/setup-toolchain.mjs installs the toolchain (override each with the variable named below). */
const TOOLS = join(PROJECT_ROOT, '.tools');

function installed(envName: string, file: string): string {
  const path = process.env[envName] ?? join(TOOLS, file);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run setup\` to install the Temporal toolchain (or set ${envName}).`);
  return path;
}

export const temporalCliPath = () => installed('TEMPORAL_CLI_PATH', 'bin/temporal');
export const temporalTestServerPath = () => installed('TEMPORAL_TEST_SERVER_PATH', 'bin/temporal-test-server');
/** The Python that has moto installed (the project's venv). */
export const motoPythonPath = () => installed('MOTO_PYTHON', 'venv/bin/python');
export const versitygwPath = () => installed('VERSITYGW_PATH', 'bin/versitygw');

/**
 * The Node flags an npm script of this project starts its program with: `tsx --single-threaded-gc starters/prep.ts`
 * gives ['--single-threaded-gc']. For a test or benchmark that runs the program as that script does; a
 * `${NAME:-default}` in a flag is expanded as the script's shell would.
 */
export function npmScriptNodeFlags(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const { scripts } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string | undefined> };
  const script = scripts[name];
  if (!script) throw new Error(`package.json has no script "${name}"`);
  return script
    .split(/\s+/)
    .filter((word) => word.startsWith('--'))
    .map((flag) => flag.replace(/\$\{(\w+):-([^}]*)\}/g, (_, variable: string, fallback: string) => env[variable] || fallback));
}
