import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, describe, expect, it } from 'vitest';
import { TASK_QUEUE } from '../../schemas/temporal-names';
import { PROJECT_ROOT } from '../../scripts/toolchain';

/** `npm start`, the main job: dev server + UI + codec server + worker, then a clean Ctrl-C. */
async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function waitForOutput(child: ChildProcess, text: string, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (output().includes(text)) resolve();
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before "${text}":\n${output()}`)));
  });
}

describe('npm start (local stack)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'identity-workflows-stack-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('brings up the UI, the codec server and a polling worker, and stops cleanly on SIGINT', async () => {
    const ports = { frontend: await freePort(), ui: await freePort(), codec: await freePort() };
    let output = '';
    child = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/start-local-stack.ts'], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: '',
        TEMPORAL_PORT: String(ports.frontend),
        TEMPORAL_UI_PORT: String(ports.ui),
        CODEC_SERVER_PORT: String(ports.codec),
        IDENTITY_WORKFLOWS_DATA_DIR: dataDir,
        TEMPORAL_CODEC_KEY: randomBytes(32).toString('base64'),
        TEMPORAL_CODEC_KEY_ID: 'stack-test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForOutput(child, 'local stack is up', () => output);

    expect(output).toContain(`Temporal UI     http://localhost:${ports.ui}`);
    expect(output).toContain('npm run uid2-subscription -- --config examples/uid2-subscription.json --wait');
    expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);
    const preflight = await fetch(`http://127.0.0.1:${ports.codec}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: `http://localhost:${ports.ui}`, 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(`http://localhost:${ports.ui}`);

    const connection = await Connection.connect({ address: `127.0.0.1:${ports.frontend}` });
    try {
      // The banner prints as the worker starts polling; the server lists a poller once its first poll lands.
      let pollers = 0;
      for (let attempt = 0; attempt < 40 && pollers === 0; attempt++) {
        const queue = await connection.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: TASK_QUEUE, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        pollers = queue.pollers?.length ?? 0;
        if (pollers === 0) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(pollers).toBeGreaterThan(0);
      const attributes = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      expect(Object.keys(attributes.customAttributes ?? {})).toEqual(expect.arrayContaining(['IdentityPipeline', 'IdentityStage']));
    } finally {
      await connection.close();
    }

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${ports.ui}/`)).rejects.toThrow();
  });
});
