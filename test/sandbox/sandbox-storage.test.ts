import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateDatabaseCommand, CreateTableCommand, GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Upload } from '@aws-sdk/lib-storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { adminCall } from '../helpers/sandbox';

/** What the sandbox stores in its data folder: kept across a restart, once, owner-only, freed on delete. */
const credentials = { accessKeyId: 'any', secretAccessKey: 'thing' };
const clients = (sandbox: Sandbox) => {
  const common = { region: 'us-east-1', endpoint: sandbox.url, credentials };
  return { s3: new S3Client({ ...common, forcePathStyle: true }), glue: new GlueClient(common), secrets: new SecretsManagerClient(common) };
};
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Every file and folder under `dir`, with its mode and the bytes it occupies on disk. */
function walk(dir: string): { path: string; mode: number; isDir: boolean; diskBytes: number }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = lstatSync(path);
    const entry = { path, mode: stat.mode & 0o777, isDir: stat.isDirectory(), diskBytes: stat.blocks * 512 };
    return entry.isDir ? [entry, ...walk(path)] : [entry];
  });
}
const diskBytes = (dir: string) => walk(dir).reduce((sum, e) => sum + (e.isDir ? 0 : e.diskBytes), 0);

/** Processes whose parent is this test process (the sandbox's emulators, if any are left). */
function childrenOfThisProcess(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
      } catch {
        return false; // exited while listed
      }
    })
    .map(Number);
}

/** Processes (other than `except`) whose command line or environment names `dir`. */
function processesUsing(dir: string, except: number[]): number[] {
  const names = (pid: string, file: string) => {
    try {
      return readFileSync(`/proc/${pid}/${file}`, 'utf8').includes(dir);
    } catch {
      return false; // exited while listed, or not ours to read
    }
  };
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid) && !except.includes(Number(pid)) && (names(pid, 'cmdline') || names(pid, 'environ')))
    .map(Number);
}

async function until(condition: () => boolean, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return condition();
}

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'sandbox-storage-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

async function withSandbox<T>(use: (sandbox: Sandbox) => Promise<T>): Promise<T> {
  const sandbox = await startSandbox({ port: 0, dataDir });
  try {
    return await use(sandbox);
  } finally {
    await sandbox.close();
  }
}

describe('sandbox storage', () => {
  it('keeps a multipart object, a small object, a Glue table and a secret across a stop and start', { timeout: 60_000 }, async () => {
    const big = randomBytes(12 * 1024 * 1024);
    const secretArn = await withSandbox(async (sandbox) => {
      const { s3, glue, secrets } = clients(sandbox);
      await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'out/manifest.json', Body: '{"parts":1}' }));
      await new Upload({ client: s3, params: { Bucket: 'kept', Key: 'out/part-00000.csv', Body: big }, partSize: 5 * 1024 * 1024 }).done();
      await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'identity' } }));
      const columns = [{ Name: 'email', Type: 'string' }];
      await glue.send(new CreateTableCommand({ DatabaseName: 'identity', TableInput: { Name: 'customers', StorageDescriptor: { Columns: columns, Location: 's3://kept/out/' } } }));
      const { ARN } = await secrets.send(new CreateSecretCommand({ Name: 'uid2/api', SecretString: 'v1' }));
      await secrets.send(new PutSecretValueCommand({ SecretId: 'uid2/api', SecretString: 'v2' }));
      return ARN;
    });

    await withSandbox(async (sandbox) => {
      const { s3, glue, secrets } = clients(sandbox);
      const part = await s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'out/part-00000.csv' }));
      expect(sha256(await part.Body!.transformToByteArray())).toBe(sha256(big));
      const manifest = await s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'out/manifest.json' }));
      expect(await manifest.Body!.transformToString()).toBe('{"parts":1}');
      const { Table } = await glue.send(new GetTableCommand({ DatabaseName: 'identity', Name: 'customers' }));
      expect(Table?.StorageDescriptor?.Columns).toEqual([{ Name: 'email', Type: 'string' }]);
      const secret = await secrets.send(new GetSecretValueCommand({ SecretId: 'uid2/api' }));
      expect({ arn: secret.ARN, value: secret.SecretString }).toEqual({ arn: secretArn, value: 'v2' });
    });
  });

  it('stores each object once, in files and folders only their owner can read, and frees them on delete', { timeout: 60_000 }, async () => {
    await withSandbox(async (sandbox) => {
      const { s3, glue, secrets } = clients(sandbox);
      const before = diskBytes(dataDir);
      await s3.send(new CreateBucketCommand({ Bucket: 'raw' }));
      await s3.send(new PutObjectCommand({ Bucket: 'raw', Key: 'first.csv', Body: 'email\na@example.com\n' }));
      await new Upload({ client: s3, params: { Bucket: 'raw', Key: 'big.bin', Body: randomBytes(8 * 1024 * 1024) }, partSize: 5 * 1024 * 1024 }).done();
      await s3.send(new PutObjectCommand({ Bucket: 'raw', Key: 'dir/other.bin', Body: randomBytes(4 * 1024 * 1024) }));
      await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'identity' } }));
      await secrets.send(new CreateSecretCommand({ Name: 'uid2/api', SecretString: 'v1' }));
      await adminCall(sandbox, 'POST', '/data-exchange/entitle', {});

      const stored = diskBytes(dataDir) - before;
      expect(stored).toBeGreaterThanOrEqual(12 * 1024 * 1024);
      expect(stored).toBeLessThan(13 * 1024 * 1024);
      const loose = walk(dataDir).filter((e) => (e.mode & 0o077) !== 0 || e.mode !== (e.isDir ? 0o700 : 0o600));
      expect(loose.map((e) => `${e.path.slice(dataDir.length)} ${e.mode.toString(8)}`)).toEqual([]);
      expect(lstatSync(dataDir).mode & 0o777).toBe(0o700);

      await s3.send(new DeleteObjectCommand({ Bucket: 'raw', Key: 'big.bin' }));
      await s3.send(new DeleteObjectsCommand({ Bucket: 'raw', Delete: { Objects: [{ Key: 'dir/other.bin' }] } }));
      expect(diskBytes(dataDir) - before).toBeLessThan(1024 * 1024);
    });
  });

  it('forgets everything and deletes its files on reset', { timeout: 60_000 }, async () => {
    await withSandbox(async (sandbox) => {
      const { s3, secrets } = clients(sandbox);
      await s3.send(new CreateBucketCommand({ Bucket: 'raw' }));
      await s3.send(new PutObjectCommand({ Bucket: 'raw', Key: 'a.bin', Body: randomBytes(1024 * 1024) }));
      await secrets.send(new CreateSecretCommand({ Name: 'uid2/api', SecretString: 'v1' }));
      await adminCall(sandbox, 'POST', '/reset');
      const gone = (await s3.send(new GetObjectCommand({ Bucket: 'raw', Key: 'a.bin' })).catch((e: unknown) => e)) as Error;
      expect(gone.name).toBe('NoSuchBucket');
      expect(walk(dataDir).filter((e) => !e.isDir && !e.path.endsWith('state.json'))).toEqual([]);
    });
    await withSandbox(async (sandbox) => {
      const missing = (await clients(sandbox).secrets.send(new GetSecretValueCommand({ SecretId: 'uid2/api' })).catch((e: unknown) => e)) as Error;
      expect(missing.name).toBe('ResourceNotFoundException');
    });
  });

  it("deletes an older sandbox's request recording, which held a copy of every body uploaded", { timeout: 60_000 }, async () => {
    writeFileSync(join(dataDir, 'moto-recording.jsonl'), '{"body":"a copy of an upload"}\n');
    await withSandbox(async () => {
      expect(walk(dataDir).map((e) => e.path).filter((p) => p.endsWith('moto-recording.jsonl'))).toEqual([]);
    });
  });

  it('says the port is in use and leaves no process behind, then starts', { timeout: 60_000 }, async () => {
    const taken: Server = await new Promise((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => resolve(server));
    });
    try {
      const { port } = taken.address() as { port: number };
      await expect(startSandbox({ port, dataDir })).rejects.toThrow(new RegExp(`port ${port} on 127.0.0.1 is in use`));
      expect(childrenOfThisProcess()).toEqual([]);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    await withSandbox(async (sandbox) => {
      expect(await adminCall(sandbox, 'GET', '/health')).toMatchObject({ status: 'ok' });
    });
  });

  it('says which emulator failed and why, and leaves no process behind', { timeout: 60_000 }, async () => {
    writeFileSync(join(dataDir, 'glue-and-secrets.pickle'), 'not a snapshot');
    await expect(startSandbox({ port: 0, dataDir })).rejects.toThrow(/moto \(Glue, Secrets Manager\) exited \(1\).*cannot read the Glue and Secrets Manager snapshot/s);
    expect(childrenOfThisProcess()).toEqual([]);
  });

  it('takes its emulators down with it when its process is killed', { timeout: 60_000 }, async () => {
    const env = { ...process.env, SANDBOX_PORT: '0', SANDBOX_DATA_DIR: dataDir };
    const sandbox = spawn(process.execPath, ['--import', 'tsx', 'sandbox/main.ts'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    sandbox.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    expect(await until(() => out.includes('sandbox listening on') || sandbox.exitCode !== null, 30_000)).toBe(true);
    const emulators = processesUsing(dataDir, [process.pid, sandbox.pid!]);
    expect(emulators.length).toBeGreaterThanOrEqual(2);
    sandbox.kill('SIGKILL');
    await once(sandbox, 'exit');
    const stopped = await until(() => processesUsing(dataDir, [process.pid]).length === 0, 10_000);
    for (const pid of processesUsing(dataDir, [process.pid])) process.kill(pid, 'SIGKILL'); // this test's own leftovers
    expect(stopped).toBe(true);
  });
});
