import { join } from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from '../toolchain/paths';
import { ADMIN_TOKEN_ENV } from './admin/admin-guard';
import { faultsFromEnv } from './admin/faults';
import { startSandbox } from './server';

/** `npm run sandbox`: the sandbox alone, for pointing your own tools at it (AWS_ENDPOINT_URL=http://127.0.0.1:4566). */
const env = z
  .object({
    SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(4566),
    SANDBOX_DATA_DIR: z.string().default(join(PROJECT_ROOT, '.data', 'sandbox')),
  })
  .parse(process.env);

startSandbox({ port: env.SANDBOX_PORT, dataDir: env.SANDBOX_DATA_DIR, faults: faultsFromEnv(process.env), adminToken: process.env[ADMIN_TOKEN_ENV] })
  .then((sandbox) => {
    console.log(`sandbox listening on ${sandbox.url} (admin API: ${sandbox.url}/_sandbox/health), state in ${env.SANDBOX_DATA_DIR}`);
    const stop = () => void sandbox.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  })
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
