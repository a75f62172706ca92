import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { formatIssues } from '../../schemas/format-issues';
import { PROJECT_ROOT } from '../../toolchain/paths';

export interface CodecKey {
  id: string;
  key: Buffer;
}

export interface CodecKeyring {
  current: CodecKey;
  byId: Record<string, Buffer>;
}

export const DEV_CODEC_KEY_FILE = path.join(PROJECT_ROOT, '.local', 'codec-key.json');

const KEY_BYTES = 32;
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
// Buffer.from(s, 'base64') silently skips invalid characters, so check the alphabet first.
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const KEY_EXPECTED = `base64 of exactly ${KEY_BYTES} bytes (generate one with \`openssl rand -base64 32\`)`;
const KEY_ID_EXPECTED = '1-64 characters of [A-Za-z0-9._-]';

function decodeKey(value: string): Buffer | undefined {
  if (!BASE64_PATTERN.test(value)) return undefined;
  const key = Buffer.from(value, 'base64');
  return key.length === KEY_BYTES ? key : undefined;
}

const keySchema = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const key = decodeKey(value);
    if (!key) ctx.addIssue({ code: 'custom', message: `expected ${KEY_EXPECTED}` });
    return key ?? z.NEVER;
  });

const keyIdSchema = z.string().trim().regex(KEY_ID_PATTERN, `expected ${KEY_ID_EXPECTED}`);

const previousKeysSchema = z.string().transform((value, ctx) => {
  const keys: CodecKey[] = [];
  const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  entries.forEach((entry, index) => {
    const separator = entry.indexOf(':');
    const id = separator < 0 ? '' : entry.slice(0, separator).trim();
    const key = separator < 0 ? undefined : decodeKey(entry.slice(separator + 1).trim());
    if (!KEY_ID_PATTERN.test(id) || !key) {
      const expected = `expected "id:base64" with id of ${KEY_ID_EXPECTED} and key of ${KEY_EXPECTED}`;
      ctx.addIssue({ code: 'custom', message: `entry ${index + 1}: ${expected}` });
      return;
    }
    keys.push({ id, key });
  });
  return keys;
});

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const envSchema = z.object({
  TEMPORAL_CODEC_KEY: z.preprocess(blankToUndefined, keySchema.optional()),
  TEMPORAL_CODEC_KEY_ID: z.preprocess(blankToUndefined, keyIdSchema.default('default')),
  TEMPORAL_CODEC_PREVIOUS_KEYS: z.preprocess(blankToUndefined, previousKeysSchema.default([])),
});

const keyFileSchema = z.object({ keyId: keyIdSchema, key: keySchema });

function readKeyFile(file: string): CodecKey {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const reason = err instanceof SyntaxError ? 'it is not valid JSON' : (err as NodeJS.ErrnoException).code ?? 'read failed';
    throw new Error(`Cannot read codec key file ${file}: ${reason}`);
  }
  const parsed = keyFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`Invalid codec key file ${file} (expected { "keyId": "...", "key": "<base64>" }):\n${formatIssues(parsed.error, { root: file, layout: 'lines' })}`);
  }
  return { id: parsed.data.keyId, key: parsed.data.key };
}

function buildKeyring(current: CodecKey, previous: CodecKey[]): CodecKeyring {
  const byId: Record<string, Buffer> = { [current.id]: current.key };
  for (const { id, key } of previous) {
    const existing = byId[id];
    if (existing && !existing.equals(key)) {
      throw new Error(`Invalid codec key configuration:\n  - TEMPORAL_CODEC_PREVIOUS_KEYS: key id "${id}" is used for two different keys`);
    }
    byId[id] = key;
  }
  return { current, byId };
}

export function keyringFromEnv(env: NodeJS.ProcessEnv, opts: { devKeyFile?: string }): CodecKeyring {
  const parsed = envSchema.safeParse({
    TEMPORAL_CODEC_KEY: env.TEMPORAL_CODEC_KEY,
    TEMPORAL_CODEC_KEY_ID: env.TEMPORAL_CODEC_KEY_ID,
    TEMPORAL_CODEC_PREVIOUS_KEYS: env.TEMPORAL_CODEC_PREVIOUS_KEYS,
  });
  if (!parsed.success) {
    throw new Error(`Invalid codec key configuration:\n${formatIssues(parsed.error, { root: 'environment', layout: 'lines' })}`);
  }
  const { TEMPORAL_CODEC_KEY: key, TEMPORAL_CODEC_KEY_ID: id, TEMPORAL_CODEC_PREVIOUS_KEYS: previous } = parsed.data;
  if (key) return buildKeyring({ id, key }, previous);
  if (opts.devKeyFile && fs.existsSync(opts.devKeyFile)) return buildKeyring(readKeyFile(opts.devKeyFile), previous);
  throw new Error(
    'TEMPORAL_CODEC_KEY is not set: payload encryption needs a 32-byte key. ' +
      'Generate one with `openssl rand -base64 32` and set TEMPORAL_CODEC_KEY (and TEMPORAL_CODEC_KEY_ID), ' +
      'or run `npm start`, which creates a local dev key.',
  );
}

export function ensureDevCodecKey(file: string): CodecKey {
  if (fs.existsSync(file)) return readKeyFile(file);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const created: CodecKey = { id: `local-dev-${randomBytes(4).toString('hex')}`, key: randomBytes(KEY_BYTES) };
  try {
    // 'wx' fails if another process created the file meanwhile; then use theirs.
    fs.writeFileSync(file, `${JSON.stringify({ keyId: created.id, key: created.key.toString('base64') }, null, 2)}\n`, {
      flag: 'wx',
      mode: 0o600,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(file);
    throw err;
  }
  return created;
}
