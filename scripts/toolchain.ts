import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where scripts/setup-toolchain.mjs installs the Temporal binaries (override with TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH). */
export const PROJECT_ROOT = resolve(__dirname, '..');
const BIN = join(PROJECT_ROOT, '.tools', 'bin');

function installed(envName: string, file: string): string {
  const path = process.env[envName] ?? join(BIN, file);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run setup\` to install the Temporal toolchain (or set ${envName}).`);
  return path;
}

export const temporalCliPath = () => installed('TEMPORAL_CLI_PATH', 'temporal');
export const temporalTestServerPath = () => installed('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server');
export const motoServerPath = () => installed('MOTO_SERVER_PATH', 'moto_server');

/**
 * The Node flags an npm script of this project starts its program with: `tsx --single-threaded-gc starters/prep.ts`
 * gives ['--single-threaded-gc']. For a test or benchmark that runs the program as that script does.
 */
export function npmScriptNodeFlags(name: string): string[] {
  const { scripts } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string | undefined> };
  const script = scripts[name];
  if (!script) throw new Error(`package.json has no script "${name}"`);
  return script.split(/\s+/).filter((word) => word.startsWith('--'));
}
