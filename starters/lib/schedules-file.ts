import { isAbsolute, dirname, join } from 'node:path';
import { z } from 'zod';
import { scheduleSchema, schedulesConfigSchema, schedulesFileSchema, type ScheduleConfig, type SchedulesConfig } from '../../schemas/schedules';
import { ConfigError, loadConfigFile, validateConfig } from './load-config';
import { resolveWorkflowStart, type WorkflowStart } from './workflow-registry';

/** A schedules config and the file it came from (input files are relative to it). */
export interface SchedulesSource {
  file: string;
  config: SchedulesConfig;
}

export interface ResolvedSchedule {
  config: ScheduleConfig;
  start: WorkflowStart;
}

/** Reads and validates a schedules file, inputs included; one error lists every bad schedule. */
export function loadSchedulesFile(file: string): SchedulesSource {
  const raw = loadConfigFile(file, schedulesFileSchema(z.unknown()));
  const errors: string[] = [];
  const schedules: ScheduleConfig[] = [];
  raw.schedules.forEach((item, i) => {
    const id = (item as { id?: unknown } | null)?.id;
    const label = typeof id === 'string' ? `${file} schedule "${id}"` : `${file} schedules.${i}`;
    collect(errors, () => {
      const schedule = validateConfig(label, item, scheduleSchema);
      schedules.push(schedule);
      resolveSchedule(file, schedule);
    });
  });
  if (errors.length > 0) throw invalidSchedules(file, errors);
  return { file, config: validateConfig(file, { schedules }, schedulesConfigSchema) };
}

export function resolveSchedules(source: SchedulesSource): ResolvedSchedule[] {
  const errors: string[] = [];
  const resolved: ResolvedSchedule[] = [];
  for (const config of source.config.schedules) collect(errors, () => resolved.push({ config, start: resolveSchedule(source.file, config) }));
  if (errors.length > 0) throw invalidSchedules(source.file, errors);
  return resolved;
}

function resolveSchedule(file: string, s: ScheduleConfig): WorkflowStart {
  const where = `${file} schedule "${s.id}"`;
  if (s.inputFile === undefined) return resolveWorkflowStart(s.workflow, s.input, `${where} field "workflow"`, `${where} input`);
  const inputPath = inputFilePath(file, s.inputFile);
  let input: unknown;
  try {
    input = loadConfigFile(inputPath, z.unknown());
  } catch (err) {
    throw err instanceof ConfigError ? new ConfigError(`${where} field "inputFile": ${err.message}`) : err;
  }
  return resolveWorkflowStart(s.workflow, input, `${where} field "workflow"`, `${inputPath} (input of schedule "${s.id}")`);
}

export function inputFilePath(schedulesFile: string, inputFile: string): string {
  return isAbsolute(inputFile) ? inputFile : join(dirname(schedulesFile), inputFile);
}

function collect(errors: string[], fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    errors.push(err.message);
  }
}

function invalidSchedules(file: string, errors: string[]): ConfigError {
  return new ConfigError(`${file}: ${errors.length} invalid schedule(s), nothing applied:\n${errors.join('\n')}`);
}
