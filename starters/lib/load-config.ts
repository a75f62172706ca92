import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { formatIssues } from '../../schemas/format-issues';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads a JSON config file and validates it; the error names the file, each bad field, and what is expected. */
export function loadConfigFile<S extends z.ZodType>(path: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read the config file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path}: not valid JSON: ${(err as Error).message}`);
  }
  return validateConfig(path, json, schema);
}

export function validateConfig<S extends z.ZodType>(source: string, value: unknown, schema: S): z.output<S> {
  // reportInput: zod 4 leaves `input` out of issues unless asked, and the formatter needs it to tell missing from wrong type.
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new ConfigError(`${source}: invalid config\n${formatIssues(parsed.error, { root: '(top level)', layout: 'lines', quoteField: true })}`);
}
