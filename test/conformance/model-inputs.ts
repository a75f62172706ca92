import type { MemberRef, ServiceModel, Shape } from '../../sandbox/models/service-model';
import { validateShape, type Violation } from '../../sandbox/models/validate-input';
import { patternStrings } from './pattern-strings';

export type Input = Record<string, unknown>;

/** One broken constraint: the input that breaks it, what it breaks, and the member path the refusal must name. */
export interface InputViolation {
  path: string;
  constraint: string;
  input: Input;
}

/** Lists and maps without a stated maximum get this many entries in a maximal input. */
const UNBOUNDED_ENTRIES = 3;
/** Longer collections are not made longer than their maximum (a request that size is not worth sending). */
const LARGEST_TOO_LONG = 2000;
/** A string a maximal input gets when its shape states no maximum length. */
const UNBOUNDED_LENGTH = 64;

const sentAs = (ref: MemberRef) => ref.location ?? 'body';

/** The shape's members a request can carry (the sandbox never sees headers). */
const carried = (shape: Shape) => Object.entries(shape.members ?? {}).filter(([, ref]) => ref.location !== 'header' && ref.location !== 'headers');

/** An input with only the required members (nested likewise), each at its shortest/smallest. */
export function minimalInput(model: ServiceModel, shapeName: string): Input {
  return checked(model, shapeName, generate(model, shapeName, 'minimal', 0, new Set(), 'body') as Input, 'minimal');
}

/** An input with every member, strings/lists/maps at their maximum length and numbers at their upper bound. */
export function maximalInput(model: ServiceModel, shapeName: string): Input {
  return checked(model, shapeName, generate(model, shapeName, 'maximal', 0, new Set(), 'body') as Input, 'maximal');
}

function checked(model: ServiceModel, shapeName: string, input: Input, kind: string): Input {
  const out: Violation[] = [];
  validateShape(model, shapeName, input, '', out);
  if (out.length > 0) throw new Error(`the ${kind} input generated for ${shapeName} breaks its own model: ${JSON.stringify(out)}`);
  return input;
}

type Kind = 'minimal' | 'maximal';
type Location = MemberRef['location'] | 'body';

function generate(model: ServiceModel, shapeName: string, kind: Kind, seed: number, open: Set<string>, location: Location): unknown {
  const shape = model.shapes[shapeName]!;
  if (shape.document) return {};
  switch (shape.type) {
    case 'structure': {
      if (open.has(shapeName)) throw new Error(`${shapeName} is recursive: the generator does not follow recursive shapes`);
      const inner = new Set(open).add(shapeName);
      const required = new Set(shape.required ?? []);
      const wanted = carried(shape).filter(([name]) => required.has(name) || kind === 'maximal');
      // A union takes exactly one member: its first.
      const members = shape.union ? wanted.slice(0, 1) : wanted;
      return Object.fromEntries(members.map(([name, ref]) => [name, generate(model, ref.shape, kind, seed, inner, sentAs(ref))]));
    }
    case 'list': {
      // An empty list in a query string is no list at all: a minimal one there has an entry.
      const least = location === 'querystring' ? Math.max(shape.min ?? 0, 1) : (shape.min ?? 0);
      const count = kind === 'minimal' ? least : (shape.max ?? Math.max(least, UNBOUNDED_ENTRIES));
      return Array.from({ length: Math.min(count, LARGEST_TOO_LONG) }, (_, i) => generate(model, shape.member!.shape, kind, i, open, location));
    }
    case 'map': {
      const count = kind === 'minimal' ? (shape.min ?? 0) : (shape.max ?? Math.max(shape.min ?? 0, UNBOUNDED_ENTRIES));
      return Object.fromEntries(
        Array.from({ length: count }, (_, i) => [generate(model, shape.key!.shape, kind, i, open, location), generate(model, shape.value!.shape, kind, i, open, location)]),
      );
    }
    case 'string':
      return stringOf(shape, shapeName, kind, seed, location);
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return kind === 'maximal' ? (shape.max ?? shape.min ?? 1) : (shape.min ?? 1);
    case 'boolean':
      return kind === 'maximal';
    case 'timestamp':
      return 1_700_000_000;
    case 'blob':
      return 'AAAA';
  }
}

function stringOf(shape: Shape, shapeName: string, kind: Kind, seed: number, location: Location): string {
  if (shape.enum) return shape.enum[seed % shape.enum.length]!;
  // A path label cannot be empty: the request would name another operation.
  const min = Math.max(shape.min ?? 0, location === 'uri' ? 1 : 0);
  const max = shape.max ?? Math.max(min, UNBOUNDED_LENGTH);
  const length = stringLength(shape, min, max, kind === 'minimal' ? 'up' : 'down');
  if (length === undefined) throw new Error(`${shapeName}: no string of length ${min}..${max} matches its pattern ${shape.pattern}`);
  return makeString(shape, length, seed);
}

function stringLength(shape: Shape, min: number, max: number, direction: 'up' | 'down'): number | undefined {
  if (!shape.pattern) return direction === 'up' ? min : max;
  return patternStrings(shape.pattern).nearest(min, max, direction);
}

function makeString(shape: Shape, length: number, seed: number): string {
  if (shape.pattern) return patternStrings(shape.pattern).make(length, seed);
  const distinct = seed.toString(36);
  return length >= distinct.length ? distinct + 'a'.repeat(length - distinct.length) : 'a'.repeat(length);
}

/**
 * Each constraint of the input shape broken once, on a copy of the valid `input`: required members
 * missing, strings too short / too long / off their pattern or enum, numbers out of range, lists and
 * maps too short / too long or with a null entry, members of the wrong type. Nested members are
 * followed through the first entry of a list or map. A member carried in the path or query string
 * gets only what a URL can carry.
 */
export function singleViolations(model: ServiceModel, shapeName: string, input: Input): InputViolation[] {
  const found: InputViolation[] = [];
  const add = (path: string, constraint: string, replace: (copy: Input) => void) => {
    const copy = structuredClone(input);
    replace(copy);
    found.push({ path, constraint, input: copy });
  };
  walkStructure(model, shapeName, input, [], 'body', add);
  return found;
}

type Add = (path: string, constraint: string, replace: (copy: Input) => void) => void;
type Step = string | number;

const pathText = (steps: Step[]) => steps.map((step) => (typeof step === 'number' ? `${step + 1}.member` : step === MAP_VALUE ? 'value' : step)).join('.');
/** A step into a map's first value (named `value` in a violation's path). */
const MAP_VALUE = '\0value';

function setAt(root: Input, steps: Step[], value: unknown): void {
  let node: unknown = root;
  for (const step of steps.slice(0, -1)) node = step === MAP_VALUE ? Object.values(node as Input)[0] : (node as Record<Step, unknown>)[step];
  const last = steps.at(-1)!;
  if (last === MAP_VALUE) {
    const map = node as Input;
    map[Object.keys(map)[0]!] = value;
  } else if (value === undefined) delete (node as Record<Step, unknown>)[last];
  else (node as Record<Step, unknown>)[last] = value;
}

function walkStructure(model: ServiceModel, shapeName: string, value: Input, steps: Step[], location: Location, add: Add): void {
  const shape = model.shapes[shapeName]!;
  const members = carried(shape);
  for (const name of shape.required ?? []) {
    const ref = shape.members![name]!;
    if (ref.location === 'uri' || ref.location === 'header' || ref.location === 'headers') continue; // without it the request names no operation
    add(pathText([...steps, name]), 'required member missing', (copy) => setAt(copy, [...steps, name], undefined));
  }
  for (const [name, ref] of members) {
    if (value[name] === undefined) continue;
    walkMember(model, ref.shape, value[name], [...steps, name], steps.length === 0 ? sentAs(ref) : location, add);
  }
}

function walkMember(model: ServiceModel, shapeName: string, value: unknown, steps: Step[], location: Location, add: Add): void {
  const shape = model.shapes[shapeName]!;
  if (shape.document) return;
  const path = pathText(steps);
  const set = (constraint: string, replacement: unknown) => add(path, constraint, (copy) => setAt(copy, steps, replacement));
  const inUrl = location === 'uri' || location === 'querystring';
  if (!inUrl) set('wrong type', wrongType(shape));
  else if (location === 'querystring' && (shape.type === 'integer' || shape.type === 'long' || shape.type === 'boolean')) set('wrong type', 'x');
  switch (shape.type) {
    case 'structure':
      return walkStructure(model, shapeName, value as Input, steps, location, add);
    case 'list': {
      const items = value as unknown[];
      const min = shape.min ?? 0;
      if (min > 0) set('list too short', items.slice(0, min - 1));
      if (shape.max !== undefined && shape.max < LARGEST_TOO_LONG && items.length > 0) set('list too long', [...items, ...Array<unknown>(shape.max + 1 - items.length).fill(items[0])]);
      if (items.length > 0 && !inUrl) add(pathText([...steps, 0]), 'null list entry', (copy) => setAt(copy, [...steps, 0], null));
      if (items.length > 0) walkMember(model, shape.member!.shape, items[0], [...steps, 0], location, add);
      return;
    }
    case 'map': {
      const entries = Object.entries(value as Input);
      const min = shape.min ?? 0;
      if (min > 0) set('map too short', Object.fromEntries(entries.slice(0, min - 1)));
      if (shape.max !== undefined && shape.max < LARGEST_TOO_LONG && entries.length > 0) {
        const more = Array.from({ length: shape.max + 1 - entries.length }, (_, i) => [makeString(model.shapes[shape.key!.shape]!, keyLength(model, shape), entries.length + i + 1000), entries[0]![1]]);
        set('map too long', Object.fromEntries([...entries, ...more]));
      }
      if (entries.length > 0) walkMember(model, shape.value!.shape, entries[0]![1], [...steps, MAP_VALUE], location, add);
      return;
    }
    case 'string':
      return stringViolations(shape, value as string, location, set);
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      if (shape.min !== undefined) set('number below its minimum', shape.min - 1);
      if (shape.max !== undefined) set('number above its maximum', shape.max + 1);
      return;
  }
}

function keyLength(model: ServiceModel, mapShape: Shape): number {
  const key = model.shapes[mapShape.key!.shape]!;
  const min = Math.max(key.min ?? 1, 4);
  return stringLength(key, min, Math.max(min, key.max ?? min), 'up') ?? min;
}

function wrongType(shape: Shape): unknown {
  if (shape.type === 'string' || shape.type === 'blob' || shape.type === 'timestamp') return shape.type === 'timestamp' ? 'not a time' : 42;
  if (shape.type === 'list' || shape.type === 'map' || shape.type === 'structure') return 'not a collection';
  if (shape.type === 'boolean') return 'yes';
  return 'x';
}

function stringViolations(shape: Shape, value: string, location: Location, set: (constraint: string, replacement: unknown) => void): void {
  if (shape.enum) {
    set('value outside the enum', 'NOT_A_MODELLED_VALUE');
    return;
  }
  const min = shape.min ?? 0;
  // An empty path label names another operation: a too-short label is sent only when it can be non-empty.
  if (min > 0 && (location !== 'uri' || min > 1)) set('string too short', lengthened(shape, value, min - 1));
  if (shape.max !== undefined) set('string too long', lengthened(shape, value, shape.max + 1));
  if (shape.pattern) {
    const broken = offPattern(shape, Math.max(min, 1, location === 'uri' ? 1 : 0));
    if (broken !== undefined) set('pattern broken', broken);
  }
}

/** A string of `length` that keeps the pattern when the pattern allows that length; otherwise the value cut or padded. */
function lengthened(shape: Shape, value: string, length: number): string {
  if (shape.pattern && patternStrings(shape.pattern).canMake(length)) return patternStrings(shape.pattern).make(length);
  return length <= value.length ? value.slice(0, length) : value + value.slice(-1).repeat(length - value.length);
}

/** A string within the length bounds that the pattern refuses (characters few patterns allow). */
function offPattern(shape: Shape, length: number): string | undefined {
  const pattern = new RegExp(`^(?:${shape.pattern})$`, 'u');
  for (const c of ['!', '#', '%', '~', '\u00e9']) {
    const candidate = c.repeat(Math.min(length, shape.max ?? length));
    if (!pattern.test(candidate)) return candidate;
  }
  return undefined;
}
