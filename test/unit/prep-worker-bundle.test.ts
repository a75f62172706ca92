import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { runChunkTask, type ChunkResult, type ChunkTask } from '../../pii/prep/chunk/chunk-task';
import { supportedTypes } from '../../pii/prep/rows/profile-rules';
import { chunkWorker } from '../../pii/prep/threads/worker-bundle';
import { DESTINATION_PROFILES } from '../../pii/rules/profiles';
import { PREP_PROFILES, prepRulesSchema } from '../../schemas/preparation/prep';

describe('the prep worker threads', () => {
  it('load the engine compiled to JavaScript, without tsx, and it prepares a chunk as the TypeScript does', () => {
    const { filename, execArgv } = chunkWorker();
    expect(filename).toMatch(/[\\/]chunk-worker-[0-9a-f]{16}\.cjs$/);
    expect((execArgv ?? []).join(' ')).not.toMatch(/[\\/]tsx[\\/]/);
    const bundled = createRequire(__filename)(filename) as (task: ChunkTask) => ChunkResult;
    const rules = prepRulesSchema.parse({ profile: 'amc', columns: { email: 'EMAIL', phone: 'PHONE', name: 'FIRST_NAME' } });
    const text = 'id,name,email,phone\n1, José ,Ann@Example.com,(212) 555-0100\n2,"O""Brien",not an email,N/A\n3,x,y\n\n';
    const task = (): ChunkTask => ({ header: ['id', 'name', 'email', 'phone'], rules, output: 'csv', format: 'csv', bytes: new Uint8Array(Buffer.from(text.slice(text.indexOf('\n') + 1))), delimiter: ',' });
    const expected = runChunkTask(task());
    const actual = bundled(task());
    expect(Buffer.from(actual.csv!).toString()).toBe(Buffer.from(expected.csv!).toString());
    expect(actual.rejects).toEqual(expected.rejects);
    expect(actual.counts).toEqual(expected.counts);
  });
});

describe('the types each destination profile declares', () => {
  it('are the types its rules take, in their order', () => {
    for (const profile of PREP_PROFILES) expect(DESTINATION_PROFILES[profile].types, profile).toEqual(supportedTypes(profile));
  });
});
