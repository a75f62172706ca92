import { createHash } from 'node:crypto';
import type { StateStore } from '../state';
import { CODES, TiktokError } from './tiktok-errors';
import { CALCULATE_TYPES, audienceSize, tiktokStateOf, type TiktokAudience, type TiktokFile, type TiktokSandboxState } from './tiktok-state';

export interface TiktokContext {
  store: StateStore;
  now: () => number;
}

type Json = Record<string, unknown>;

const HASH_LINE = /^[0-9a-f]{64}$/;
const MAX_FILE_PATHS = 500;
const refuse = (message: string) => new TiktokError(CODES.parameterError, message);

/** Upload: the file part's MD5 must be `file_signature`; every line one lowercase SHA-256 hex digest (named by line number, never by value). */
export async function uploadFile(ctx: TiktokContext, advertiserId: string, form: FormData): Promise<Json> {
  const calculateType = calculateTypeOf(form.get('calculate_type'));
  const signature = form.get('file_signature');
  const file = form.get('file');
  if (typeof signature !== 'string' || signature.length === 0) throw refuse('file_signature: Missing data for required field.');
  if (!(file instanceof Blob)) throw refuse('file: Missing data for required field.');
  const bytes = Buffer.from(await file.arrayBuffer());
  if (createHash('md5').update(bytes).digest('hex') !== signature.toLowerCase()) throw refuse('file_signature does not match the MD5 of the file');
  const lines = bytes.toString('utf8').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) throw new TiktokError(CODES.fileInvalid, 'The file has no identifiers');
  const bad = lines.findIndex((line) => !HASH_LINE.test(line));
  if (bad >= 0) throw new TiktokError(CODES.fileInvalid, `Line ${bad + 1} of the file is not a lowercase SHA-256 hex digest: hash every identifier, one per line, no header`);
  return ctx.store.update((s) => {
    const tiktok = tiktokStateOf(s);
    const filePath = `sandbox/${advertiserId}/${tiktok.nextId++}-${signature.toLowerCase()}.txt`;
    tiktok.files[filePath] = { md5: signature.toLowerCase(), calculateType, advertiserId, bytes: bytes.length, hashes: lines };
    return { file_path: filePath };
  });
}

/** Create: one calculate_type for every file; duplicate names allowed (as TikTok does). */
export function createAudience(ctx: TiktokContext, advertiserId: string, body: Json): Json {
  const name = body.custom_audience_name;
  if (typeof name !== 'string' || name.length === 0 || name.length > 128) throw refuse('custom_audience_name: Length must be between 1 and 128.');
  const calculateType = calculateTypeOf(body.calculate_type);
  const retention = body.retention_in_days;
  if (retention !== undefined && (typeof retention !== 'number' || !Number.isInteger(retention) || retention < 1 || retention > 365)) {
    throw refuse('retention_in_days: Must be between 1 and 365.');
  }
  return ctx.store.update((s) => {
    const tiktok = tiktokStateOf(s);
    const files = filesOf(tiktok, advertiserId, body.file_paths);
    if (files.some(([, f]) => f.calculateType !== calculateType)) {
      throw refuse('The calculate_type of every file in file_paths must be the same as calculate_type, or the audience is invalid');
    }
    const id = `7${String(tiktok.nextId++).padStart(18, '0')}`;
    const audience: TiktokAudience = { id, name, advertiserId, calculateType, members: {}, history: [], createdAt: ctx.now(), readyAt: 0, ...(retention === undefined ? {} : { retentionDays: retention }) };
    audience.members = applied(audience.members, files, 'APPEND');
    commit(tiktok, audience, 'CREATE', files, ctx.now());
    tiktok.audiences[id] = audience;
    return { custom_audience_id: id };
  });
}

/** Update: APPEND, REMOVE or REPLACE (TikTok's default) with set semantics; refused when the audience would drop below the minimum size. */
export function updateAudience(ctx: TiktokContext, advertiserId: string, body: Json): Json {
  return ctx.store.update((s) => {
    const tiktok = tiktokStateOf(s);
    const audience = audienceOf(tiktok, advertiserId, body.custom_audience_id);
    if (body.file_paths === undefined && typeof body.custom_audience_name === 'string') {
      audience.name = body.custom_audience_name;
      return {};
    }
    const action = body.action ?? 'REPLACE';
    if (action !== 'APPEND' && action !== 'REMOVE' && action !== 'REPLACE') throw refuse('action: Must be one of: APPEND, REMOVE, REPLACE.');
    const files = filesOf(tiktok, advertiserId, body.file_paths);
    if (tiktok.limits.strictCalculateType && files.some(([, f]) => f.calculateType !== audience.calculateType)) {
      throw refuse('The files must be encrypted with the same encryption method/type (calculate_type) as the audience');
    }
    const members = applied(action === 'REPLACE' ? {} : audience.members, files, action);
    const size = Object.values(members).reduce((n, m) => n + m.length, 0);
    if (size < tiktok.limits.minimumSize) {
      throw refuse(`The ${action} operation failed: the audience size would be less than ${tiktok.limits.minimumSize.toLocaleString('en-US')} after the operation`);
    }
    audience.members = members;
    commit(tiktok, audience, action, files, ctx.now());
    return {};
  });
}

/** List: the advertiser's audiences by page (`page` from 1, `page_size` 1–100, default 10). */
export function listAudiences(ctx: TiktokContext, advertiserId: string, query: URLSearchParams): Json {
  const page = intParam(query, 'page', 1, 1, 1_000_000);
  const pageSize = intParam(query, 'page_size', 10, 1, 100);
  const all = Object.values(tiktokStateOf(ctx.store.get()).audiences).filter((a) => a.advertiserId === advertiserId);
  const now = ctx.now();
  return {
    list: all.slice((page - 1) * pageSize, page * pageSize).map((a) => summary(a, now)),
    page_info: { page, page_size: pageSize, total_number: all.length, total_page: Math.ceil(all.length / pageSize) },
  };
}

/** Get: `custom_audience_ids` as a JSON array (1–100), each with its detail and history. */
export function getAudiences(ctx: TiktokContext, advertiserId: string, query: URLSearchParams): Json {
  const tiktok = tiktokStateOf(ctx.store.get());
  const now = ctx.now();
  const ids = idsOf(query.get('custom_audience_ids'));
  return {
    list: ids.map((id) => {
      const audience = audienceOf(tiktok, advertiserId, id);
      return { detail: summary(audience, now), history: audience.history.map((h) => ({ action: h.action, opt_time: time(h.at), file_count: h.filePaths.length })) };
    }),
  };
}

export function deleteAudiences(ctx: TiktokContext, advertiserId: string, body: Json): Json {
  const ids = (Array.isArray(body.custom_audience_ids) ? (body.custom_audience_ids as unknown[]) : idsOf(undefined)).map(String);
  return ctx.store.update((s) => {
    const tiktok = tiktokStateOf(s);
    for (const id of ids) audienceOf(tiktok, advertiserId, id);
    for (const id of ids) delete tiktok.audiences[id];
    return {};
  });
}

function calculateTypeOf(value: unknown): string {
  if (typeof value !== 'string' || !(CALCULATE_TYPES as readonly string[]).includes(value)) {
    throw refuse(`calculate_type: Must be one of: ${CALCULATE_TYPES.join(', ')} (the sandbox's SHA-256 types).`);
  }
  return value;
}

function filesOf(tiktok: TiktokSandboxState, advertiserId: string, paths: unknown): [string, TiktokFile][] {
  if (!Array.isArray(paths) || paths.length === 0 || paths.length > MAX_FILE_PATHS || !paths.every((p) => typeof p === 'string')) {
    throw refuse(`file_paths: Must be a list of 1 to ${MAX_FILE_PATHS} file paths from the upload API.`);
  }
  return (paths).map((path) => {
    const file = tiktok.files[path];
    if (!file || file.advertiserId !== advertiserId) throw new TiktokError(CODES.filePathUnknown, `file_path ${path} does not exist or has expired: upload the file again`);
    return [path, file];
  });
}

function audienceOf(tiktok: TiktokSandboxState, advertiserId: string, id: unknown): TiktokAudience {
  const audience = typeof id === 'string' || typeof id === 'number' ? tiktok.audiences[String(id)] : undefined;
  if (!audience || audience.advertiserId !== advertiserId) throw refuse(`custom_audience_id ${String(id)} does not exist`);
  return audience;
}

function applied(members: Record<string, string[]>, files: [string, TiktokFile][], action: 'APPEND' | 'REMOVE' | 'REPLACE'): Record<string, string[]> {
  const sets = new Map(Object.entries(members).map(([type, m]) => [type, new Set(m)]));
  for (const [, file] of files) {
    const set = sets.get(file.calculateType) ?? new Set<string>();
    sets.set(file.calculateType, set);
    for (const hash of file.hashes) {
      if (action === 'REMOVE') set.delete(hash);
      else set.add(hash);
    }
  }
  return Object.fromEntries([...sets].filter(([, set]) => set.size > 0).map(([type, set]) => [type, [...set].sort()]));
}

function commit(tiktok: TiktokSandboxState, audience: TiktokAudience, action: string, files: [string, TiktokFile][], now: number): void {
  audience.history.push({ action, filePaths: files.map(([path]) => path), at: now });
  audience.readyAt = now + tiktok.limits.processingMs;
  const counts = (tiktok.appliedFiles[audience.id] ??= {});
  for (const [, file] of files) counts[file.md5] = (counts[file.md5] ?? 0) + 1;
}

function summary(a: TiktokAudience, now: number): Json {
  return {
    audience_id: a.id,
    name: a.name,
    calculate_type: a.calculateType,
    is_valid: now >= a.readyAt,
    is_expired: false,
    cover_num: audienceSize(a),
    create_time: time(a.createdAt),
    ...(a.retentionDays === undefined ? {} : { retention_in_days: a.retentionDays }),
  };
}

/** TikTok's "YYYY-MM-DD HH:MM:SS" (UTC). */
const time = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw refuse(`${name}: Must be between ${min} and ${max}.`);
  return n;
}

function idsOf(raw: string | null | undefined): string[] {
  let ids: unknown;
  try {
    ids = raw == null ? undefined : JSON.parse(raw);
  } catch {
    ids = undefined;
  }
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100) throw refuse('custom_audience_ids: Must be a JSON list of 1 to 100 audience ids.');
  return ids.map(String);
}
