import type { Command } from 'commander';
/** An action's exit code: 0 on success, 1 when the workflow failed. */
export function exitWith(code: number): void {
  process.exitCode = code;
}

/**
 * Parses argv and runs the chosen action. Errors before a workflow result (config, environment,
 * connection) print their message alone, the stack only with DEBUG=1, and exit with 2.
 */
export function runCli(program: Command): void {
  program
    .parseAsync(process.argv)
    .then(() => process.exit(process.exitCode ?? 0))
    .catch((err: unknown) => {
      console.error(err instanceof Error && !process.env.DEBUG ? err.message : err);
      process.exit(2);
    });
}
