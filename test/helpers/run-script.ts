import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../toolchain/paths';

/** Runs one of the project's TypeScript programs as its npm script would (through tsx); its exit code and all it printed. */
export async function runTsxScript(script: string, args: string[]): Promise<{ code: number | null; output: string; lastLine: string }> {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), script, ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output, lastLine: output.trimEnd().split('\n').at(-1) ?? '' };
}
