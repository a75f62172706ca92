import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure, METADATA_ENCODING_KEY, defaultPayloadConverter, str, u8, type Payload } from '@temporalio/common';
import {
  decodeOptionalFailureToOptionalError,
  encodeErrorToFailure,
  loadDataConverter,
} from '@temporalio/common/lib/internal-non-workflow';
import { PAYLOAD_DECRYPTION_ERROR } from '../../schemas/failures';
import { AesGcmPayloadCodec } from '../../temporal-client/codec/aes-gcm-codec';
import { createDataConverter, FAILURE_CONVERTER_PATH } from '../../temporal-client/codec/data-converter';
import { DEV_CODEC_KEY_FILE, ensureDevCodecKey, keyringFromEnv, type CodecKeyring } from '../../temporal-client/codec/keyring';

function keyring(id: string, key = randomBytes(32), previous: Record<string, Buffer> = {}): CodecKeyring {
  return { current: { id, key }, byId: { ...previous, [id]: key } };
}

const contains = (haystack: Uint8Array | null | undefined, needle: string) =>
  Buffer.from(haystack ?? new Uint8Array()).includes(Buffer.from(needle));

const SECRET = 'alice@example.com';

describe('AesGcmPayloadCodec', () => {
  const ring = keyring('k1');
  const codec = new AesGcmPayloadCodec(ring);
  const original = defaultPayloadConverter.toPayload({ email: SECRET, score: 42 });

  it('round-trips JSON payloads', async () => {
    const encoded = await codec.encode([original, defaultPayloadConverter.toPayload('second')]);
    const decoded = await codec.decode(encoded);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([{ email: SECRET, score: 42 }, 'second']);
    expect(str(decoded[0]!.metadata![METADATA_ENCODING_KEY]!)).toBe('json/plain');
  });

  it('marks the payload encrypted, names the key id and hides the plaintext', async () => {
    const [encoded] = await codec.encode([original]);
    expect(str(encoded!.metadata![METADATA_ENCODING_KEY]!)).toBe('binary/encrypted');
    expect(str(encoded!.metadata!['encryption-key-id']!)).toBe('k1');
    expect(contains(encoded!.data, SECRET)).toBe(false);
    expect(contains(encoded!.data, 'json/plain')).toBe(false);
  });

  it('uses a fresh IV for every encode', async () => {
    const [a] = await codec.encode([original]);
    const [b] = await codec.encode([original]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    expect(Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12))).toBe(false);
  });

  it('rejects a tampered payload', async () => {
    const [encoded] = await codec.encode([original]);
    const data = Buffer.from(encoded!.data!);
    data[20] = data[20]! ^ 0x01;
    await expect(codec.decode([{ ...encoded, data }])).rejects.toThrow(/authentication failed/);
  });

  it('names an unknown key id without leaking key bytes', async () => {
    const [encoded] = await codec.encode([original]);
    const other = keyring('k2');
    const error = await new AesGcmPayloadCodec(other).decode([encoded!]).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error?.message).toContain('"k1"');
    expect(error?.message).not.toContain(ring.current.key.toString('base64'));
    expect(error?.message).not.toContain(other.current.key.toString('base64'));
  });

  it('names the key id a payload needs and the key ids this process holds, in a PayloadDecryptionError', async () => {
    const [encoded] = await codec.encode([original]);
    const holder = new AesGcmPayloadCodec(keyring('k2', randomBytes(32), { k0: randomBytes(32) }));
    const error = await holder.decode([encoded!]).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error?.name).toBe(PAYLOAD_DECRYPTION_ERROR);
    expect(error?.message).toContain('encrypted with key id "k1", which this process does not hold (it holds key ids "k0", "k2")');
    expect(error?.message).toContain('TEMPORAL_CODEC_PREVIOUS_KEYS');
  });

  it('says when the key held under the payload\'s key id is a different key', async () => {
    const [encoded] = await codec.encode([original]);
    const sameIdOtherKey = new AesGcmPayloadCodec(keyring('k1'));
    await expect(sameIdOtherKey.decode([encoded!])).rejects.toThrow(
      /authentication failed with key id "k1": the key this process holds under that id is a different key.*\(it holds key ids "k1"\)/,
    );
  });

  it('decodes payloads written with a previous key after rotation', async () => {
    const [old] = await codec.encode([original]);
    const rotated = new AesGcmPayloadCodec(keyring('k2', randomBytes(32), { k1: ring.current.key }));
    const [decoded] = await rotated.decode([old!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ email: SECRET, score: 42 });
    const [fresh] = await rotated.encode([original]);
    expect(str(fresh!.metadata!['encryption-key-id']!)).toBe('k2');
  });

  it('passes non-encrypted payloads through decode unchanged', async () => {
    const raw: Payload = { metadata: { [METADATA_ENCODING_KEY]: u8('binary/plain') }, data: u8('hello') };
    const noMetadata: Payload = { data: u8('x') };
    const decoded = await codec.decode([original, raw, noMetadata]);
    expect(decoded[0]).toBe(original);
    expect(decoded[1]).toBe(raw);
    expect(decoded[2]).toBe(noMetadata);
  });
});

describe('createDataConverter', () => {
  const ring = keyring('k1');
  const converter = loadDataConverter(createDataConverter(ring));

  it('points the SDK at the encrypting failure converter module', () => {
    expect(fs.existsSync(FAILURE_CONVERTER_PATH)).toBe(true);
    expect(converter.failureConverter).toMatchObject({ options: { encodeCommonAttributes: true } });
    expect(converter.payloadCodecs).toHaveLength(1);
  });

  it('encrypts failure messages and stack traces', async () => {
    const error = ApplicationFailure.create({ message: `lookup failed for ${SECRET}`, type: 'LookupError', nonRetryable: true });
    const failure = await encodeErrorToFailure(converter, error);

    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace).toBe('');
    expect(failure.applicationFailureInfo?.type).toBe('LookupError');
    const attrs = failure.encodedAttributes!;
    expect(str(attrs.metadata![METADATA_ENCODING_KEY]!)).toBe('binary/encrypted');
    expect(contains(attrs.data, SECRET)).toBe(false);

    const restored = await decodeOptionalFailureToOptionalError(converter, failure);
    expect(restored?.message).toBe(`lookup failed for ${SECRET}`);
    await expect(decodeOptionalFailureToOptionalError(loadDataConverter(createDataConverter(keyring('k9'))), failure)).rejects.toThrow(
      /"k1"/,
    );
  });
});

describe('the failure of a payload that cannot be decrypted', () => {
  const workerKeys = keyring('worker-key');
  const operatorKeys = keyring('operator-key');

  it('stays in clear text, so an operator reads it whatever keys they hold (it names key ids only)', async () => {
    const [payload] = await new AesGcmPayloadCodec(keyring('starter-key')).encode([defaultPayloadConverter.toPayload({ email: SECRET })]);
    const error = await new AesGcmPayloadCodec(workerKeys).decode([payload!]).then(
      () => undefined,
      (err: unknown) => err,
    );
    const failure = await encodeErrorToFailure(loadDataConverter(createDataConverter(workerKeys)), error);

    expect(failure.encodedAttributes).toBeFalsy();
    expect(failure.message).toContain('key id "starter-key"');
    expect(failure.message).toContain('"worker-key"');
    expect(failure.stackTrace).toMatch(/^PayloadDecryptionError: Cannot decrypt payload/);
    const read = await decodeOptionalFailureToOptionalError(loadDataConverter(createDataConverter(operatorKeys)), failure);
    expect(read?.message).toBe(failure.message);
  });

  it('stays in clear text when the SDK wraps it for an activity whose input cannot be decrypted', async () => {
    const [payload] = await new AesGcmPayloadCodec(keyring('starter-key')).encode([defaultPayloadConverter.toPayload('arg')]);
    const error = await new AesGcmPayloadCodec(workerKeys).decode([payload!]).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    // As the Worker does when it cannot decode an activity's arguments.
    const wrapped = ApplicationFailure.fromError(error, { message: `Failed to parse activity args for activity x: ${error?.message}`, nonRetryable: false });
    const failure = await encodeErrorToFailure(loadDataConverter(createDataConverter(workerKeys)), wrapped);

    expect(failure.encodedAttributes).toBeFalsy();
    expect(failure.applicationFailureInfo?.type).toBe(PAYLOAD_DECRYPTION_ERROR);
    expect(failure.message).toContain('key id "starter-key"');
    expect(failure.message).toContain('"worker-key"');
  });

  it('does not change how other failures are encrypted', async () => {
    const failure = await encodeErrorToFailure(loadDataConverter(createDataConverter(workerKeys)), new Error(`lookup failed for ${SECRET}`));
    expect(failure.message).toBe('Encoded failure');
    expect(contains(failure.encodedAttributes?.data, SECRET)).toBe(false);
  });
});

describe('keyringFromEnv', () => {
  const key = randomBytes(32);
  const oldKey = randomBytes(32);
  const b64 = key.toString('base64');
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codec-keyring-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function errorOf(env: NodeJS.ProcessEnv, devKeyFile?: string): string {
    try {
      keyringFromEnv(env, { devKeyFile });
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('expected keyringFromEnv to throw');
  }

  it('reads the current key, its id and previous keys', () => {
    const ring = keyringFromEnv(
      { TEMPORAL_CODEC_KEY: b64, TEMPORAL_CODEC_KEY_ID: 'prod-2025.02', TEMPORAL_CODEC_PREVIOUS_KEYS: `prod-2024:${oldKey.toString('base64')}` },
      {},
    );
    expect(ring.current.id).toBe('prod-2025.02');
    expect(ring.current.key.equals(key)).toBe(true);
    expect(Object.keys(ring.byId).sort()).toEqual(['prod-2024', 'prod-2025.02']);
    expect(ring.byId['prod-2024']!.equals(oldKey)).toBe(true);
  });

  it('defaults the key id to "default"', () => {
    expect(keyringFromEnv({ TEMPORAL_CODEC_KEY: b64 }, {}).current.id).toBe('default');
  });

  it('names a short key without printing it', () => {
    const short = randomBytes(16).toString('base64');
    const message = errorOf({ TEMPORAL_CODEC_KEY: short });
    expect(message).toMatch(/TEMPORAL_CODEC_KEY: expected base64 of exactly 32 bytes/);
    expect(message).not.toContain(short);
  });

  it('names a key that is not base64', () => {
    const bad = `${b64.slice(0, 40)}!!${b64.slice(42)}`;
    const message = errorOf({ TEMPORAL_CODEC_KEY: bad });
    expect(message).toContain('TEMPORAL_CODEC_KEY:');
    expect(message).not.toContain(bad);
  });

  it('names a bad key id', () => {
    expect(errorOf({ TEMPORAL_CODEC_KEY: b64, TEMPORAL_CODEC_KEY_ID: 'has space' })).toMatch(
      /TEMPORAL_CODEC_KEY_ID: expected 1-64 characters/,
    );
    expect(errorOf({ TEMPORAL_CODEC_KEY: b64, TEMPORAL_CODEC_KEY_ID: 'x'.repeat(65) })).toContain('TEMPORAL_CODEC_KEY_ID');
  });

  it('names bad previous keys by entry, without printing them', () => {
    const shortOld = randomBytes(8).toString('base64');
    const message = errorOf({ TEMPORAL_CODEC_KEY: b64, TEMPORAL_CODEC_PREVIOUS_KEYS: `ok:${oldKey.toString('base64')},old:${shortOld},nokey` });
    expect(message).toMatch(/TEMPORAL_CODEC_PREVIOUS_KEYS: entry 2/);
    expect(message).toMatch(/TEMPORAL_CODEC_PREVIOUS_KEYS: entry 3/);
    expect(message).not.toContain(shortOld);
    expect(message).not.toContain(oldKey.toString('base64'));
  });

  it('reports every bad variable at once', () => {
    const message = errorOf({ TEMPORAL_CODEC_KEY: 'short', TEMPORAL_CODEC_KEY_ID: 'a/b', TEMPORAL_CODEC_PREVIOUS_KEYS: 'a:b' });
    expect(message).toContain('TEMPORAL_CODEC_KEY:');
    expect(message).toContain('TEMPORAL_CODEC_KEY_ID:');
    expect(message).toContain('TEMPORAL_CODEC_PREVIOUS_KEYS:');
  });

  it('treats blank variables as unset', () => {
    expect(keyringFromEnv({ TEMPORAL_CODEC_KEY: b64, TEMPORAL_CODEC_KEY_ID: ' ', TEMPORAL_CODEC_PREVIOUS_KEYS: '' }, {}).current.id).toBe(
      'default',
    );
  });

  it('refuses a previous key id that reuses the current id with another key', () => {
    expect(errorOf({ TEMPORAL_CODEC_KEY: b64, TEMPORAL_CODEC_PREVIOUS_KEYS: `default:${oldKey.toString('base64')}` })).toContain(
      'TEMPORAL_CODEC_PREVIOUS_KEYS',
    );
  });

  it('explains how to get a key when none is configured', () => {
    const message = errorOf({}, path.join(dir, 'missing.json'));
    expect(message).toContain('TEMPORAL_CODEC_KEY');
    expect(message).toContain('openssl rand -base64 32');
    expect(message).toContain('npm start');
  });

  it('falls back to the dev key file, keeping previous keys from env', () => {
    const file = path.join(dir, 'fallback', 'codec-key.json');
    const dev = ensureDevCodecKey(file);
    const ring = keyringFromEnv({ TEMPORAL_CODEC_PREVIOUS_KEYS: `old:${oldKey.toString('base64')}` }, { devKeyFile: file });
    expect(ring.current.id).toBe(dev.id);
    expect(ring.current.key.equals(dev.key)).toBe(true);
    expect(ring.byId.old!.equals(oldKey)).toBe(true);
    expect(keyringFromEnv({ TEMPORAL_CODEC_KEY: b64 }, { devKeyFile: file }).current.key.equals(key)).toBe(true);
  });

  it('rejects a malformed dev key file without printing its contents', () => {
    const file = path.join(dir, 'bad.json');
    const shortKey = randomBytes(8).toString('base64');
    fs.writeFileSync(file, JSON.stringify({ keyId: 'dev', key: shortKey }));
    const message = errorOf({}, file);
    expect(message).toContain(file);
    expect(message).toContain('key: expected base64 of exactly 32 bytes');
    expect(message).not.toContain(shortKey);
  });
});

describe('ensureDevCodecKey', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codec-devkey-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates a 0600 key file once, then reloads the same key', () => {
    const file = path.join(dir, 'nested', '.local', 'codec-key.json');
    const created = ensureDevCodecKey(file);
    expect(created.id).toMatch(/^local-dev-[0-9a-f]{8}$/);
    expect(created.key).toHaveLength(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ keyId: created.id, key: created.key.toString('base64') });

    const reloaded = ensureDevCodecKey(file);
    expect(reloaded.id).toBe(created.id);
    expect(reloaded.key.equals(created.key)).toBe(true);
  });

  it('places the default dev key file in <project root>/.local', () => {
    expect(DEV_CODEC_KEY_FILE).toBe(path.resolve(__dirname, '..', '..', '.local', 'codec-key.json'));
  });
});
