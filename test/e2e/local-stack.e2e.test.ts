import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../sandbox/emulators/child-process';
import { TASK_QUEUE, workflowIds } from '../../schemas/temporal-names';
import { createDataConverter } from '../../temporal-client/codec/data-converter';
import { checkNowSignal, type uid2SubscriptionApproval } from '../../workflows/uid2-subscription-approval/uid2-subscription-approval';
import type { prepareIdentityData } from '../../workflows/preparation/prepare-identity-data';
import type { uid2Matching } from '../../workflows/uid2-matching/uid2-matching';
import { amcIdMappingStatusQuery, type amcIdMapping } from '../../workflows/amc-id-mapping/amc-id-mapping';
import type { audienceUpload } from '../../workflows/audience-upload/audience-upload';
import { readStackFile } from '../../scripts/local-stack/leftovers';
import { descendantsOf, isRunning, processById, type ProcessRecord } from '../../scripts/local-stack/processes';
import { PROJECT_ROOT } from '../../toolchain/paths';

/** `npm start`, the main job: dev server + UI + codec server + sandbox + worker + demo run, then a clean Ctrl-C. */
const DEMO_WORKFLOW_ID = workflowIds.uid2SubscriptionApproval('000000000000');
/** Not the default queue: the banner and the demo must follow TEMPORAL_TASK_QUEUE. */
const TASK_QUEUE_UNDER_TEST = `${TASK_QUEUE}-stack-test`;
/** Waiting on another process, seen through ps. */
const PROCESS_WAIT = { timeout: 30_000, interval: 200 };

function waitForOutput(child: ChildProcess, text: string, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (output().includes(text)) resolve();
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before "${text}":\n${output()}`)));
  });
}

/**
 * `npm start` on these ports and data folder, as a newcomer runs it: on a machine configured for AWS
 * (a profile that does not exist here, an S3 endpoint nobody listens on), which must not matter —
 * the stack uses the sandbox unless asked for AWS.
 */
function stackEnv(ports: { frontend: number; ui: number; codec: number; sandbox: number }, dataDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEMPORAL_ADDRESS: '',
    TEMPORAL_PORT: String(ports.frontend),
    TEMPORAL_UI_PORT: String(ports.ui),
    CODEC_SERVER_PORT: String(ports.codec),
    SANDBOX_PORT: String(ports.sandbox),
    IDENTITY_WORKFLOWS_AWS: '',
    AWS_PROFILE: 'identity-workflows-no-such-profile',
    AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
    IDENTITY_WORKFLOWS_DATA_DIR: dataDir,
  };
}

describe('npm start (local stack)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'identity-workflows-stack-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('brings up the UI, the codec server, the sandbox and a polling worker, completes the demo run, and stops cleanly on SIGINT', async () => {
    const ports = { frontend: await freePort(), ui: await freePort(), codec: await freePort(), sandbox: await freePort() };
    const codecKey = randomBytes(32);
    let output = '';
    child = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/start-local-stack.ts'], {
      cwd: PROJECT_ROOT,
      env: {
        ...stackEnv(ports, dataDir),
        TEMPORAL_CODEC_KEY: codecKey.toString('base64'),
        TEMPORAL_CODEC_KEY_ID: 'stack-test',
        TEMPORAL_TASK_QUEUE: TASK_QUEUE_UNDER_TEST,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForOutput(child, 'local stack is up', () => output);
    await waitForOutput(child, 'demo: the sandbox approves the UID2 subscription', () => output);

    expect(output).toContain(`Temporal UI     http://localhost:${ports.ui}`);
    expect(output).toContain(`Worker          task queue ${TASK_QUEUE_UNDER_TEST},`);
    expect(output).toContain(
      `  TEMPORAL_ADDRESS=127.0.0.1:${ports.frontend} TEMPORAL_TASK_QUEUE=${TASK_QUEUE_UNDER_TEST} TEMPORAL_UI_URL=http://localhost:${ports.ui} ` +
        'npm run uid2-subscription -- --config examples/uid2-subscription.json --wait',
    );
    expect(output).toContain(`AWS calls go to the local sandbox at http://127.0.0.1:${ports.sandbox}`);
    expect(output).toContain(`demo: Started uid2SubscriptionApproval ${DEMO_WORKFLOW_ID}`);
    expect(output).toContain('demo: Started prepareIdentityData prepare-identity-data/identity-demo-prepared-uid2');
    expect(output).toContain('demo: 240 synthetic customer records (two sources, dirty values) in s3://identity-demo/raw/customers/');
    const s3 = new S3Client({ region: 'us-east-1', forcePathStyle: true, endpoint: `http://127.0.0.1:${ports.sandbox}`, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const demoObjects = await s3.send(new ListObjectsV2Command({ Bucket: 'identity-demo', Prefix: 'raw/customers/' }));
    expect(demoObjects.Contents?.map((o) => o.Key)).toEqual(['raw/customers/crm.csv', 'raw/customers/ecommerce.csv']);
    s3.destroy();
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
          taskQueue: { name: TASK_QUEUE_UNDER_TEST, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        pollers = queue.pollers?.length ?? 0;
        if (pollers === 0) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(pollers).toBeGreaterThan(0);
      const attributes = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      expect(Object.keys(attributes.customAttributes ?? {})).toEqual(expect.arrayContaining(['IdentityPipeline', 'IdentityStage']));

      // The demo run completes once the sandbox approves (here at once, instead of a minute later).
      const key = { current: { id: 'stack-test', key: codecKey }, byId: { 'stack-test': codecKey } };
      const client = new Client({ connection, namespace: 'default', dataConverter: createDataConverter(key) });
      const demo = client.workflow.getHandle<typeof uid2SubscriptionApproval>(DEMO_WORKFLOW_ID);
      await fetch(`http://127.0.0.1:${ports.sandbox}/_sandbox/data-exchange/entitle`, { method: 'POST', body: '{}' });
      await demo.signal(checkNowSignal);
      const result = await demo.result();
      expect(result.approvedVia).toBe('entitlement');
      expect(result.iamPolicy.Statement[0]?.Action).toBe('dataexchange:SendApiAsset');

      // The demo customers are prepared for UID2 by the same worker.
      const prep = await client.workflow.getHandle<typeof prepareIdentityData>(workflowIds.prepareIdentityData('s3://identity-demo/prepared/uid2/')).result();
      expect(prep.manifestUri).toBe('s3://identity-demo/prepared/uid2/manifest.json');
      expect(prep.counts.rowsIn).toBe(240);
      expect(prep.counts.rowsOut + prep.counts.rowsRejected).toBe(240);
      expect(prep.counts.columns.email!.normalized).toBeGreaterThan(200);

      // uid2Matching waited on that approval run, then ran one ER job per identifier type.
      const matchingIds: string[] = [];
      for await (const run of client.workflow.list({ query: `WorkflowType = 'uid2Matching'` })) matchingIds.push(run.workflowId);
      expect(matchingIds).toEqual([expect.stringMatching(/^uid2-matching\/Demo_UID2_Daily_Matching\/\d{4}-\d{2}-\d{2}$/)]);
      const matching = await client.workflow.getHandle<typeof uid2Matching>(matchingIds[0]!).result();
      // Approved here at once: the run may have seen the entitlement already, or waited for it.
      expect(['entitled', 'approved-during-run']).toContain(matching.subscription);
      expect(matching.identifiers.map((i) => [i.identifier, i.erWorkflow.name, i.counts?.inputRows])).toEqual([
        ['email', 'Demo_UID2_Daily_Matching_email', 240],
        ['phone', 'Demo_UID2_Daily_Matching_phone', 240],
      ]);
      // The demo config is version 2: its national-format phones are prepared, so none is lost to its format.
      const phones = matching.identifiers[1]!.counts!;
      expect(phones.recovered).toBeGreaterThan(100);
      expect(phones.notProcessedByEr).toBe(0);
      expect(phones.matched + phones.rejectedBeforeEr).toBe(240);
      if (!output.includes('demo: phones: ')) await waitForOutput(child, 'demo: phones: ', () => output);
      expect(output).toContain(`demo: phones: 240 in, ${phones.recovered} recovered by normalisation (rewritten into E.164), ${phones.matched} matched, ${phones.rejectedBeforeEr} rejected before Entity Resolution (see s3://identity-demo/uid2/prepared/Demo_UID2_Daily_Matching_phone/run-`);

      // The demo customers became an AMC ID mapping table: the sandbox's AMC accepted the collaboration, the create job SUCCEEDED.
      expect(output).toContain('demo: Started amcIdMapping amc-id-mapping/amcdemo/Demo_AMC_Customers');
      if (!output.includes('demo: AMC mapping table ')) await waitForOutput(child, 'demo: AMC mapping table ', () => output);
      const amc = await client.workflow.getHandle<typeof amcIdMapping>(workflowIds.amcIdMapping('amcdemo', 'Demo_AMC_Customers')).query(amcIdMappingStatusQuery);
      expect(amc).toMatchObject({ stage: 'guarding', collaboration: { status: 'ACTIVE' }, lastJob: { kind: 'create', status: 'SUCCEEDED' }, refreshes: 0 });
      expect(amc.tables.map((t) => t.name)).toEqual(['Demo_AMC_Customers']);
      expect(output).toContain(`demo: AMC mapping table Demo_AMC_Customers (id ${amc.tables[0]!.id}) ready: 240 rows in, 0 rejected, ${amc.lastInput!.counts!.keys} customer keys`);

      // The demo customers became TikTok audiences, one per identifier type, in the sandbox's TikTok stand-in.
      const tiktokId = workflowIds.audienceUpload('demo-tiktok-customers', new Date().toISOString().slice(0, 10));
      expect(output).toContain(`demo: Started audienceUpload ${tiktokId}`);
      const audience = await client.workflow.getHandle<typeof audienceUpload>(tiktokId).result();
      expect(audience).toMatchObject({ outcome: 'applied', created: true, rows: { in: 240 } });
      expect(Object.keys(audience.audienceIds).sort()).toEqual(['EMAIL_SHA256', 'PHONE_SHA256']);
      if (!output.includes('demo: TikTok audiences ')) await waitForOutput(child, 'demo: TikTok audiences ', () => output);
      expect(output).toContain(`demo: TikTok audiences EMAIL_SHA256 ${audience.audienceIds.EMAIL_SHA256} (${audience.identifiers.EMAIL_SHA256} identifiers)`);
    } finally {
      await connection.close();
    }

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${ports.ui}/`)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${ports.sandbox}/_sandbox/health`)).rejects.toThrow();
  });

  it('after an abrupt end (SIGKILL of the launcher, or of npm/tsx above it) the next start comes up: nothing left holding the ports', async () => {
    const ports = { frontend: await freePort(), ui: await freePort(), codec: await freePort(), sandbox: await freePort() };
    const stackDir = mkdtempSync(join(tmpdir(), 'identity-workflows-restart-'));
    const stackFile = join(stackDir, 'stack-processes.json');
    const started: ProcessRecord[] = [];
    const start = async () => {
      let output = '';
      const proc = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/start-local-stack.ts', '--no-demo'], {
        cwd: PROJECT_ROOT,
        env: { ...stackEnv(ports, stackDir), TEMPORAL_CODEC_KEY: randomBytes(32).toString('base64') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      let launcher: ProcessRecord | undefined;
      await vi.waitUntil(() => (launcher = descendantsOf(proc.pid!).find((p) => p.command.includes('start-local-stack.ts'))) !== undefined, PROCESS_WAIT);
      if (!launcher) throw new Error(`no launcher process under tsx:\n${output}`);
      started.push(launcher);
      await waitForOutput(proc, 'local stack is up', () => output);
      started.push(...descendantsOf(launcher.pid));
      return { proc, launcher, output: () => output };
    };
    const exitOf = (pid: number) => vi.waitUntil(() => processById(pid) === undefined, PROCESS_WAIT);
    try {
      // The launcher's own process dies: the dev server and moto_server it started must not outlive it.
      const first = await start();
      const firstChildren = descendantsOf(first.launcher.pid);
      expect(firstChildren.map((c) => c.command).join('\n')).toMatch(/temporal[^\n]* server start-dev/);
      process.kill(first.launcher.pid, 'SIGKILL');
      first.proc.kill('SIGKILL');

      // npm (here tsx's CLI) above the launcher dies: the launcher shuts the stack down.
      const second = await start();
      expect(second.output()).not.toContain('in use');
      second.proc.kill('SIGKILL');
      await exitOf(second.launcher.pid);
      expect(processById(second.launcher.pid)).toBeUndefined();

      const third = await start();
      const exited = new Promise<number | null>((resolve) => third.proc.once('exit', (code) => resolve(code)));
      third.proc.kill('SIGINT');
      expect(await exited).toBe(0);
      for (const c of firstChildren) expect(isRunning(c)).toBe(false);
      expect(readStackFile(stackFile)).toBeUndefined();
    } finally {
      if (child?.exitCode === null) child.kill('SIGKILL');
      for (const p of started) if (isRunning(p)) process.kill(p.pid, 'SIGKILL');
      rmSync(stackDir, { recursive: true, force: true });
    }
  });
});

describe('npm start with TEMPORAL_ADDRESS (worker only, against your cluster)', () => {
  it('refuses to run a worker on real AWS unless AWS is chosen explicitly, before connecting anywhere', async () => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/start-local-stack.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', IDENTITY_WORKFLOWS_AWS: '', AWS_PROFILE: 'prod' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output).toContain('set IDENTITY_WORKFLOWS_AWS=aws (or pass --aws) to confirm');
    expect(output).not.toContain('worker polling');
  });
});
