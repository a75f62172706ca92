import { CreateMultipartUploadCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPrepActivities } from '../../activities/preparation/prepare-dataset';
import type { PrepManifest } from '../../pii/prep/run/manifest';
import { emptyCounts } from '../../pii/prep/run/prep-counts';
import { readPublishedManifest } from '../../pii/prep/run/published-output';
import { deleteUnder } from '../../storage/s3-objects';
import { useSandboxBuckets } from '../helpers/sandbox';

/** Publishing and discarding a run on the sandbox's S3: what is removed, and what never is. */
const ctx = useSandboxBuckets('out');
let s3: S3Client;
beforeAll(() => {
  s3 = ctx.aws.s3;
});

const keys = async (prefix: string) => ((await s3.send(new ListObjectsV2Command({ Bucket: 'out', Prefix: prefix }))).Contents ?? []).map((o) => o.Key).sort();
const put = (Key: string) => s3.send(new PutObjectCommand({ Bucket: 'out', Key, Body: 'customer_id\n1\n' }));

function manifestOf(outputs: string[]): PrepManifest {
  const counts = { ...emptyCounts({}), rowsIn: outputs.length, rowsOut: outputs.length };
  return { profile: 'uid2', columns: {}, outputFormat: 'csv', inputs: [], outputs: outputs.map((uri) => ({ uri, bytes: 14, sha256: '0' })), rejects: [], counts };
}

describe('published prep output', () => {
  it('a run that is discarded leaves no open multipart upload behind (a part its killed worker was writing)', async () => {
    await put('prep/run-a/data/part-00000-00000.csv');
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'out', Key: 'prep/run-a/data/part-00000-00001.csv' }));
    await s3.send(new UploadPartCommand({ Bucket: 'out', Key: 'prep/run-a/data/part-00000-00001.csv', UploadId, PartNumber: 1, Body: 'x'.repeat(1024) }));
    expect(await deleteUnder(s3, 's3://out/prep/run-a/')).toBe(1);
    expect(await keys('prep/')).toEqual([]);
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'out', Prefix: 'prep/' }))).Uploads ?? []).toEqual([]);
  });

  it('a missing bucket has nothing published and nothing to remove (no retries of a failure that cannot pass)', async () => {
    expect(await readPublishedManifest(s3, 's3://no-such-bucket/prep/')).toBeUndefined();
    expect(await deleteUnder(s3, 's3://no-such-bucket/prep/run-a/')).toBe(0);
  });

  it('publishing removes earlier runs but never a part the new manifest lists, wherever it lies', async () => {
    const activities = createPrepActivities({ s3, prepThreads: 0 });
    await put('prep/run-old/data/part-00000-00000.csv');
    await put('prep/run-kept/data/part-00000-00000.csv');
    await put('prep/run-new/data/part-00001-00000.csv');
    const manifest = manifestOf(['s3://out/prep/run-kept/data/part-00000-00000.csv', 's3://out/prep/run-new/data/part-00001-00000.csv']);
    const publish = () => activities.writePrepManifest({ manifests: [manifest], outputPrefix: 's3://out/prep/', runId: 'new' });
    const summary = await new MockActivityEnvironment().run<[], Awaited<ReturnType<typeof publish>>, typeof publish>(publish);
    expect(summary.removedObjects).toBe(1);
    expect(await keys('prep/')).toEqual(['prep/manifest.json', 'prep/run-kept/data/part-00000-00000.csv', 'prep/run-new/data/part-00001-00000.csv']);
  });
});
