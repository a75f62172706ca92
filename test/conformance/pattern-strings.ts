/**
 * Deterministic strings of an exact length that match a service model's pattern (the models write Java
 * regexes; the subset they use is parsed here: literals, escapes, classes, groups, alternation, quantifiers,
 * anchors, and lookarounds, which take no length and are checked on the made string instead). Random generators cannot be asked for an exact length, which the length bounds need.
 */

type Node =
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'set'; accepts: (c: string) => boolean }
  | { kind: 'repeat'; node: Node; min: number; max: number };

/** The longest string asked for: a little over the models' longest bound (1024). */
const CAP = 1100;
/** Characters tried, in order, for a class: plain ones first, so generated values read like names. */
const CANDIDATES = [...'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_-'].concat(
  Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => !/[a-zA-Z0-9_-]/.test(c)),
);

const literal = (c: string): Node => ({ kind: 'set', accepts: (x) => x === c });
const EMPTY: Node = { kind: 'seq', items: [] };

class Parser {
  private i = 0;
  /** The pattern has a lookaround (Clean Rooms' names: `(?!\\s*$)…`), which only the whole regex can check. */
  lookaround = false;
  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.src.length) this.fail('unexpected )');
    return node;
  }

  private fail(what: string): never {
    throw new Error(`pattern ${this.src}: ${what} at ${this.i} (not in the regex subset the generator reads)`);
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { kind: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') items.push(this.quantified(this.atom()));
    return { kind: 'seq', items };
  }

  private quantified(node: Node): Node {
    const c = this.src[this.i];
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
    } else if (c === '{' && /^\{\d+(,\d*)?\}/.test(this.src.slice(this.i))) {
      const [whole, lo, comma, hi] = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i))!;
      this.i += whole.length;
      min = Number(lo);
      max = comma === undefined ? min : hi ? Number(hi) : Infinity;
    } else return node;
    if (this.src[this.i] === '?' || this.src[this.i] === '+') this.i++; // lazy / possessive: same strings
    return this.quantified({ kind: 'repeat', node, min, max });
  }

  private atom(): Node {
    const c = this.src[this.i++]!;
    switch (c) {
      case '^':
      case '$':
        return EMPTY;
      case '.':
        return { kind: 'set', accepts: (x) => x !== '\n' && x !== '\r' };
      case '[':
        return this.charClass();
      case '(': {
        const lookaround = /^\?<?[=!]/.exec(this.src.slice(this.i));
        if (lookaround) this.i += lookaround[0].length;
        else if (this.src.startsWith('?:', this.i)) this.i += 2;
        else if (this.src[this.i] === '?') this.fail('flag group');
        const inner = this.alternation();
        if (this.src[this.i++] !== ')') this.fail('unclosed group');
        if (!lookaround) return inner;
        this.lookaround = true;
        return EMPTY;
      }
      case '\\':
        return this.escape();
      default:
        return literal(c);
    }
  }

  private escape(): Node {
    const c = this.src[this.i++];
    if (c === undefined) this.fail('trailing backslash');
    const unit = this.codeUnit(c);
    if (unit !== undefined) return literal(unit);
    const named = ESCAPES[c];
    if (named) return { kind: 'set', accepts: named };
    if (/[a-zA-Z0-9]/.test(c)) this.fail(`escape \\${c}`);
    return literal(c);
  }

  private charClass(): Node {
    const negated = this.src[this.i] === '^';
    if (negated) this.i++;
    const tests: ((x: string) => boolean)[] = [];
    let first = true;
    while (this.src[this.i] !== ']' || first) {
      first = false;
      if (this.i >= this.src.length) this.fail('unclosed class');
      const from = this.classChar();
      if (typeof from !== 'string') {
        tests.push(from);
        continue;
      }
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.i + 1 < this.src.length) {
        this.i++;
        const to = this.classChar();
        if (typeof to !== 'string') this.fail('range to a class');
        tests.push((x) => x >= from && x <= to);
      } else tests.push((x) => x === from);
    }
    this.i++;
    return { kind: 'set', accepts: (x) => tests.some((t) => t(x)) !== negated };
  }

  /** `\uXXXX` (after the backslash and `u`): that UTF-16 code unit. */
  private codeUnit(escape: string): string | undefined {
    if (escape !== 'u' || !/^[0-9a-fA-F]{4}/.test(this.src.slice(this.i))) return undefined;
    this.i += 4;
    return String.fromCharCode(parseInt(this.src.slice(this.i - 4, this.i), 16));
  }

  /** One character of a class, or a class escape such as \d. */
  private classChar(): string | ((x: string) => boolean) {
    const c = this.src[this.i++]!;
    if (c !== '\\') return c;
    const e = this.src[this.i++]!;
    const unit = this.codeUnit(e);
    if (unit !== undefined) return unit;
    if (ESCAPES[e]) return ESCAPES[e];
    if (/[a-zA-Z0-9]/.test(e)) this.fail(`escape \\${e}`);
    return e;
  }
}

const ESCAPES: Record<string, (x: string) => boolean> = {
  d: (x) => /\d/.test(x),
  w: (x) => /\w/.test(x),
  s: (x) => /\s/.test(x),
  t: (x) => x === '\t',
  n: (x) => x === '\n',
  r: (x) => x === '\r',
};

/** Which lengths (0..CAP) a node can produce, and for a repeat, which with exactly k copies. */
type Lengths = Uint8Array<ArrayBuffer>;

function combine(a: Lengths, b: Lengths): Lengths {
  const out = new Uint8Array(CAP + 1);
  const bs: number[] = [];
  b.forEach((v, j) => v && bs.push(j));
  for (let i = 0; i <= CAP; i++) {
    if (!a[i]) continue;
    for (const j of bs) if (i + j <= CAP) out[i + j] = 1;
  }
  return out;
}

/** A parsed pattern that can say which lengths it allows and make a string of one of them. */
export class PatternStrings {
  private readonly root: Node;
  private readonly lengthsOf = new Map<Node, Lengths>();
  private readonly copies = new Map<Node, Lengths[]>();
  private readonly made = new Map<string, string>();

  /** The whole pattern, when a lookaround means a built string must be checked against it. */
  private readonly whole?: RegExp;

  constructor(readonly source: string) {
    const parser = new Parser(source);
    this.root = parser.parse();
    if (parser.lookaround) this.whole = new RegExp(`^(?:${source})$`);
  }

  canMake(length: number): boolean {
    if (!(length >= 0 && length <= CAP && this.lengths(this.root)[length] === 1)) return false;
    return !this.whole || this.checked(length, 0) !== undefined;
  }

  /** The shortest length in [min, max] the pattern can make, or undefined. */
  nearest(min: number, max: number, direction: 'up' | 'down'): number | undefined {
    const lo = Math.max(0, min);
    const hi = Math.min(CAP, max);
    if (direction === 'up') for (let n = lo; n <= hi; n++) if (this.canMake(n)) return n;
    if (direction === 'down') for (let n = hi; n >= lo; n--) if (this.canMake(n)) return n;
    return undefined;
  }

  /** A matching string of exactly `length` characters; `seed` varies the characters (distinct seeds, distinct strings). */
  make(length: number, seed = 0): string {
    const key = `${length}:${seed}`;
    const made = this.made.get(key);
    if (made !== undefined) return made;
    if (!this.canMake(length)) throw new Error(`pattern ${this.source} cannot make a string of length ${length}`);
    const out = this.whole ? this.checked(length, seed)! : this.build(this.root, length, { seed, position: 0 });
    this.made.set(key, out);
    return out;
  }

  /** A built string the lookarounds accept, from the seed or one of the next few. */
  private checked(length: number, seed: number): string | undefined {
    for (let s = seed; s < seed + 16; s++) {
      const out = this.build(this.root, length, { seed: s, position: 0 });
      if (this.whole!.test(out)) return out;
    }
    return undefined;
  }

  private lengths(node: Node): Lengths {
    const known = this.lengthsOf.get(node);
    if (known) return known;
    let out = new Uint8Array(CAP + 1);
    if (node.kind === 'set') out[1] = 1;
    else if (node.kind === 'seq') {
      out[0] = 1;
      for (const item of node.items) out = combine(out, this.lengths(item));
    } else if (node.kind === 'alt') {
      for (const option of node.options) this.lengths(option).forEach((v, i) => (out[i] ||= v));
    } else {
      for (const [k, lengths] of this.repeatCopies(node).entries()) if (k >= node.min) lengths.forEach((v, i) => (out[i] ||= v));
    }
    this.lengthsOf.set(node, out);
    return out;
  }

  /** Lengths with exactly k copies, k = 0.. until nothing new can come (or the cap). */
  private repeatCopies(node: Extract<Node, { kind: 'repeat' }>): Lengths[] {
    const known = this.copies.get(node);
    if (known) return known;
    const one = this.lengths(node.node);
    const byCount: Lengths[] = [Uint8Array.from({ length: CAP + 1 }, (_, i) => (i === 0 ? 1 : 0))];
    while (byCount.length - 1 < node.max && byCount.length <= CAP + 1) {
      const next = combine(byCount.at(-1)!, one);
      if (!next.some((v) => v)) break;
      byCount.push(next);
    }
    this.copies.set(node, byCount);
    return byCount;
  }

  private build(node: Node, length: number, state: { seed: number; position: number }): string {
    switch (node.kind) {
      case 'set': {
        const allowed = CANDIDATES.filter(node.accepts);
        if (allowed.length === 0) throw new Error(`pattern ${this.source}: a class no printable ASCII character satisfies`);
        // The seed written in base `allowed.length`, one digit per character, so distinct seeds give distinct strings.
        const digit = Math.floor(state.seed / allowed.length ** state.position++) % allowed.length;
        return allowed[digit]!;
      }
      case 'alt':
        return this.build(node.options.find((o) => this.lengths(o)[length])!, length, state);
      case 'seq':
        return this.buildSeq(node.items, length, state);
      case 'repeat': {
        const one = this.lengths(node.node);
        if (one[1] && one.every((v, i) => v === (i === 1 ? 1 : 0))) {
          let out = '';
          for (let i = 0; i < length; i++) out += this.build(node.node, 1, state);
          return out;
        }
        const byCount = this.repeatCopies(node);
        const k = byCount.findIndex((lengths, count) => count >= node.min && lengths[length]);
        return this.buildSeq(Array<Node>(k).fill(node.node), length, state);
      }
    }
  }

  /** Early items as short as the rest allows, so the length goes to the last elastic part (an ARN's name, a path's tail). */
  private buildSeq(items: Node[], length: number, state: { seed: number; position: number }): string {
    const suffix: Lengths[] = [];
    let acc = Uint8Array.from({ length: CAP + 1 }, (_, i) => (i === 0 ? 1 : 0));
    suffix[items.length] = acc;
    for (let i = items.length - 1; i >= 0; i--) suffix[i] = acc = combine(this.lengths(items[i]!), acc);
    let left = length;
    let out = '';
    items.forEach((item, i) => {
      const own = this.lengths(item);
      let take = 0;
      while (!(own[take] && suffix[i + 1]![left - take])) take++;
      out += this.build(item, take, state);
      left -= take;
    });
    return out;
  }
}

const parsed = new Map<string, PatternStrings>();
export function patternStrings(source: string): PatternStrings {
  let found = parsed.get(source);
  if (!found) parsed.set(source, (found = new PatternStrings(source)));
  return found;
}
