import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBoth } from './child-process';
import { emulatorClients, type EmulatorClients } from './emulator-clients';
import { resetMoto, startMoto, type MotoBackend } from './moto';
import { ownerOnlyDir, startS3Backend, type S3Backend } from './s3-backend';

/** The emulators behind the router: versitygw for S3, moto for Glue and Secrets Manager. */
export interface Emulators {
  s3: S3Backend;
  moto: MotoBackend;
  /** The sandbox's own clients for the data behind its jobs, reaching the emulators directly. */
  clients: EmulatorClients;
  /** Forgets every object, table and secret, and deletes their files. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Where the emulators keep their data inside the sandbox's data folder. */
export const S3_DIR = 's3';
export const GLUE_AND_SECRETS_SNAPSHOT = 'glue-and-secrets.pickle';
/** What moto's recorder wrote before objects were stored as files: a copy of every body uploaded, never read now. */
const LEGACY_RECORDING = 'moto-recording.jsonl';

/** Deletes an older sandbox's recording: its bytes (input data included) would otherwise stay on disk for good. */
function removeLegacyRecording(dataDir: string): void {
  const file = join(dataDir, LEGACY_RECORDING);
  if (!existsSync(file)) return;
  const megabytes = Math.round(statSync(file).size / 1e6);
  rmSync(file, { force: true });
  console.warn(`sandbox: removed ${file} (${megabytes} MB), the request recording of an older sandbox; S3, Glue and secrets are now stored as files`);
}

/**
 * With `dataDir`, objects, tables and secrets are kept there (owner-only) across restarts;
 * without it, objects go to a temporary folder deleted at stop and the rest stays in memory.
 */
export async function startEmulators(dataDir?: string): Promise<Emulators> {
  if (dataDir) ownerOnlyDir(dataDir);
  if (dataDir) removeLegacyRecording(dataDir);
  const s3Dir = dataDir ? join(dataDir, S3_DIR) : mkdtempSync(join(tmpdir(), 'sandbox-s3-'));
  const removeTemporary = () => (dataDir ? undefined : rmSync(s3Dir, { recursive: true, force: true }));
  let started: [S3Backend, MotoBackend];
  try {
    started = await startBoth(startS3Backend(s3Dir), startMoto({ snapshotFile: dataDir && join(dataDir, GLUE_AND_SECRETS_SNAPSHOT) }));
  } catch (err) {
    removeTemporary();
    throw err;
  }
  const [s3, moto] = started;
  return {
    s3,
    moto,
    clients: emulatorClients(s3, moto.url),
    reset: async () => {
      s3.reset();
      await resetMoto(moto);
    },
    stop: async () => {
      await Promise.all([s3.stop(), moto.stop()]);
      removeTemporary();
    },
  };
}
