import type { Command } from 'commander';
import { ConfigError } from './load-config';

/** An action's exit code: 0 on success, 1 when the workflow failed. */
export function exitWith(code: number): void {
  process.exitCode = code;
}

/**
 * Parses argv and runs the chosen action. Config and environment errors print their message alone
 * (no stack): they are the user's to fix; they exit with 2.
 */
export function runCli(program: Command): void {
  program
    .parseAsync(process.argv)
    .then(() => process.exit(process.exitCode ?? 0))
    .catch((err: unknown) => {
      const known = err instanceof ConfigError || (err instanceof Error && /^Invalid /.test(err.message));
      console.error(known ? (err as Error).message : err);
      process.exit(2);
    });
}
