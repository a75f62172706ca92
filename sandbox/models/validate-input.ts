import { debuglog } from 'node:util';
import type { MemberRef, ServiceModel, Shape } from './service-model';

/** One broken constraint: the member's path (`mappedInputFields.1.member.type`) and what it must satisfy. Never the value. */
export interface Violation {
  path: string;
  constraint: string;
}

const debug = debuglog('sandbox');
const compiled = new Map<string, RegExp | null>();
/** Patterns of the model that JavaScript cannot compile (the models write Java regexes); such a constraint is skipped. */
export const skippedPatterns = new Set<string>();

/** The services match a pattern against the whole value (Java's `matches`), so it is anchored here. */
function patternOf(source: string): RegExp | null {
  if (compiled.has(source)) return compiled.get(source)!;
  let regex: RegExp | null = null;
  for (const flags of ['u', '']) {
    try {
      regex = new RegExp(`^(?:${source})$`, flags);
      break;
    } catch {
      // try without the unicode flag, then give up on this pattern
    }
  }
  if (!regex) {
    skippedPatterns.add(source);
    debug('pattern not enforced (does not compile in JavaScript): %s; %d skipped so far', source, skippedPatterns.size);
  }
  compiled.set(source, regex);
  return regex;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * How strictly a value is read: a request may write a timestamp either way and carry members the shape
 * does not name (the services ignore them); a response must write timestamps as the protocol does and
 * carry only the shape's members.
 */
export type Direction = 'input' | 'output';

/** Checks `value` against the model's shape `shapeName`; appends what it breaks to `out`. */
export function validateShape(model: ServiceModel, shapeName: string, value: unknown, path: string, out: Violation[], direction: Direction = 'input'): void {
  const shape = model.shapes[shapeName];
  if (!shape || shape.document) return;
  const fail = (constraint: string): void => void out.push({ path, constraint });
  switch (shape.type) {
    case 'structure':
      if (!isObject(value)) return fail('Member must be a structure');
      return validateStructure(model, shape, value, path, out, direction);
    case 'list':
      if (!Array.isArray(value)) return fail('Member must be a list');
      checkLength(shape, value.length, fail);
      value.forEach((item, i) => {
        const itemPath = `${path}.${i + 1}.member`;
        if (item === null || item === undefined) out.push({ path: itemPath, constraint: 'Member must not be null' });
        else validateShape(model, shape.member!.shape, item, itemPath, out, direction);
      });
      return;
    case 'map': {
      if (!isObject(value)) return fail('Member must be a map');
      const entries = Object.entries(value);
      checkLength(shape, entries.length, fail);
      // Keys may be user data: the path names the map, never the key.
      for (const [key, item] of entries) {
        validateShape(model, shape.key!.shape, key, `${path}.key`, out, direction);
        if (item === null || item === undefined) out.push({ path: `${path}.value`, constraint: 'Member must not be null' });
        else validateShape(model, shape.value!.shape, item, `${path}.value`, out, direction);
      }
      return;
    }
    case 'string':
      if (typeof value !== 'string') return fail('Member must be of type string');
      checkLength(shape, [...value].length, fail);
      if (shape.enum && !shape.enum.includes(value)) return fail(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      if (shape.pattern && patternOf(shape.pattern)?.test(value) === false) fail(`Member must satisfy regular expression pattern: ${shape.pattern}`);
      return;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) return fail(`Member must be of type ${shape.type}`);
      return checkRange(shape, value, fail);
    case 'float':
    case 'double':
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`Member must be of type ${shape.type}`);
      return checkRange(shape, value, fail);
    case 'boolean':
      if (typeof value !== 'boolean') fail('Member must be of type boolean');
      return;
    case 'timestamp':
      if (direction === 'output') return checkWrittenTimestamp(shape, value, fail);
      if (typeof value !== 'number' && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) fail('Member must be a timestamp');
      return;
    case 'blob':
      if (typeof value !== 'string') fail('Member must be base64-encoded binary data');
      return;
  }
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A JSON protocol writes a timestamp as epoch seconds unless the shape names another format. */
function checkWrittenTimestamp(shape: Shape, value: unknown, fail: (constraint: string) => void): void {
  const format = shape.timestampFormat ?? 'unixTimestamp';
  if (format === 'unixTimestamp' && (typeof value !== 'number' || !Number.isFinite(value))) fail('Member must be a timestamp in epoch seconds');
  if (format === 'iso8601' && (typeof value !== 'string' || !ISO_8601.test(value))) fail('Member must be an ISO 8601 timestamp');
}

/** Members carried outside a JSON body (headers, the status code): not seen in the body. */
const outsideBody = (ref: MemberRef | undefined) => ref?.location === 'header' || ref?.location === 'headers' || ref?.location === 'statusCode';

function validateStructure(model: ServiceModel, shape: Shape, value: Record<string, unknown>, path: string, out: Violation[], direction: Direction): void {
  const members = shape.members ?? {};
  const prefix = path ? `${path}.` : '';
  for (const name of shape.required ?? []) {
    if (outsideBody(members[name])) continue;
    if (value[name] === undefined || value[name] === null) out.push({ path: `${prefix}${name}`, constraint: 'Member must not be null' });
  }
  const present = Object.keys(members).filter((name) => value[name] !== undefined && value[name] !== null);
  if (shape.union && present.length !== 1) out.push({ path: path || 'input', constraint: 'Member must have exactly one member set' });
  for (const name of present) validateShape(model, members[name]!.shape, value[name], `${prefix}${name}`, out, direction);
  if (direction === 'output') {
    for (const name of Object.keys(value)) {
      if (!(name in members)) out.push({ path: `${prefix}${name}`, constraint: 'Member is not in the shape' });
    }
  }
}

function checkLength(shape: Shape, length: number, fail: (constraint: string) => void): void {
  if (shape.min !== undefined && length < shape.min) fail(`Member must have length greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && length > shape.max) fail(`Member must have length less than or equal to ${shape.max}`);
}

function checkRange(shape: Shape, value: number, fail: (constraint: string) => void): void {
  if (shape.min !== undefined && value < shape.min) fail(`Member must have value greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && value > shape.max) fail(`Member must have value less than or equal to ${shape.max}`);
}

/** A REST-JSON request as the protocol parsed it: path labels, query string and JSON body. */
export interface ParsedRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

/**
 * The operation's input as one object, each member taken from where the model locates it (path label,
 * query string, payload or body). Headers are not seen by the sandbox's handlers and are left out.
 */
export function assembleInput(model: ServiceModel, inputShape: string, req: ParsedRequest): { input: Record<string, unknown> } | { violation: Violation } {
  const shape = model.shapes[inputShape]!;
  const body = req.body === undefined ? {} : req.body;
  if (!shape.payload && !isObject(body)) return { violation: { path: 'body', constraint: 'Request body must be a JSON object' } };
  const input: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const value =
      ref.location === 'uri' ? req.params[ref.locationName ?? name]
      : ref.location === 'querystring' ? fromQuery(model, ref, req.query)
      : ref.location === 'header' || ref.location === 'headers' ? undefined
      : shape.payload === name ? req.body
      : (body as Record<string, unknown>)[name];
    if (value !== undefined) input[name] = value;
  }
  return { input };
}

/** Query strings carry text: numbers and booleans are read as the model types them, lists from repeated keys. */
function fromQuery(model: ServiceModel, ref: MemberRef, query: URLSearchParams): unknown {
  const key = ref.locationName!;
  if (!query.has(key)) return undefined;
  const type = model.shapes[ref.shape]?.type;
  if (type === 'list') return query.getAll(key);
  const text = query.get(key)!;
  if ((type === 'integer' || type === 'long') && /^-?\d+$/.test(text)) return Number(text);
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/** Violations of the operation's input, in the order the members are met. */
export function validateInput(model: ServiceModel, operation: string, req: ParsedRequest): Violation[] {
  const op = model.operations.get(operation);
  if (!op) throw new Error(`${model.service} has no operation ${operation} in its service model`);
  if (!op.input) return [];
  const assembled = assembleInput(model, op.input, req);
  if ('violation' in assembled) return [assembled.violation];
  const out: Violation[] = [];
  validateShape(model, op.input, assembled.input, '', out);
  return out;
}

/** The services' own wording: "2 validation errors detected: Value at 'a' failed to satisfy constraint: …; …". */
export function validationMessage(violations: Violation[]): string {
  const count = violations.length === 1 ? '1 validation error' : `${violations.length} validation errors`;
  return `${count} detected: ${violations.map((v) => `Value at '${v.path}' failed to satisfy constraint: ${v.constraint}`).join('; ')}`;
}
