import { describe, expect, it } from 'vitest';
import { stackBanner, starterEnvPrefix } from '../../scripts/local-stack/banner';
import { TASK_QUEUE } from '../../schemas/temporal-names';

const base = { dataDir: '/tmp/stack', codecUrl: 'http://127.0.0.1:8234', aws: { sandboxUrl: 'http://127.0.0.1:4566' } };

describe('npm start banner', () => {
  it('prints the task queue the worker polls, from TEMPORAL_TASK_QUEUE', () => {
    const banner = stackBanner({ ...base, env: { TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_TASK_QUEUE: 'identity-blue' } });
    expect(banner).toContain('task queue identity-blue,');
    expect(banner).not.toContain(`task queue ${TASK_QUEUE}`);
    expect(banner).toContain('  TEMPORAL_TASK_QUEUE=identity-blue npm run uid2-subscription -- --config examples/uid2-subscription.json --wait');
    expect(banner).toContain('  TEMPORAL_TASK_QUEUE=identity-blue npm run schedules -- apply --file examples/schedules.json');
  });

  it('names TEMPORAL_ADDRESS and TEMPORAL_UI_URL in the suggested commands when the ports are not the defaults', () => {
    const env = { TEMPORAL_ADDRESS: '127.0.0.1:17233', TEMPORAL_UI_URL: 'http://localhost:18233' };
    const banner = stackBanner({ ...base, env });
    expect(banner).toContain('Temporal UI     http://localhost:18233');
    expect(banner).toContain('Temporal server 127.0.0.1:17233,');
    expect(banner).toContain(
      '  TEMPORAL_ADDRESS=127.0.0.1:17233 TEMPORAL_UI_URL=http://localhost:18233 npm run uid2-subscription -- --config examples/uid2-subscription.json --wait',
    );
  });

  it('prints bare commands for the default setup, localhost and 127.0.0.1 alike', () => {
    const env = { TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_UI_URL: 'http://localhost:8233' };
    expect(starterEnvPrefix(env)).toBe('');
    const banner = stackBanner({ ...base, env });
    expect(banner).toContain(`task queue ${TASK_QUEUE},`);
    expect(banner).toContain('\n  npm run uid2-subscription -- --config examples/uid2-subscription.json --wait');
    expect(banner).not.toContain('TEMPORAL_CODEC_KEY');
  });

  it('quotes a value the shell would split, and reminds of the codec key without printing it', () => {
    const env = { TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_TASK_QUEUE: "team a's queue", TEMPORAL_CODEC_KEY: 'c2VjcmV0LWtleS1ieXRlcw==' };
    expect(starterEnvPrefix(env)).toBe(`TEMPORAL_TASK_QUEUE='team a'\\''s queue' `);
    const banner = stackBanner({ ...base, env });
    expect(banner).toContain('with the same TEMPORAL_CODEC_KEY');
    expect(banner).not.toContain('c2VjcmV0LWtleS1ieXRlcw==');
  });

  it('names the sandbox, or the real account, Region and principal the worker will act as', () => {
    const env = { TEMPORAL_ADDRESS: '127.0.0.1:7233' };
    expect(stackBanner({ ...base, env })).toContain('AWS calls go to the local sandbox at http://127.0.0.1:4566 (no AWS account used');
    const identity = { account: '111122223333', region: 'eu-west-1', arn: 'arn:aws:sts::111122223333:assumed-role/DataEng/alice' };
    const banner = stackBanner({ ...base, env, aws: { identity } });
    expect(banner).toContain('AWS calls go to REAL AWS: account 111122223333 in eu-west-1, as arn:aws:sts::111122223333:assumed-role/DataEng/alice');
    expect(banner).not.toContain('sandbox');
  });
});
