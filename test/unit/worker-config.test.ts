import { describe, expect, it } from 'vitest';
import { TASK_QUEUE } from '../../schemas/temporal-names';
import { isLocalTemporal, temporalConfigFromEnv } from '../../temporal-client/config';
import { workerConfigFromEnv } from '../../worker/config';

function errorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('workerConfigFromEnv', () => {
  it('applies the defaults when only the region is set', () => {
    const config = workerConfigFromEnv({ AWS_REGION: 'us-east-1' });
    expect(config).toMatchObject({
      TEMPORAL_ADDRESS: 'localhost:7233',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      TEMPORAL_UI_URL: 'http://localhost:8233',
      AWS_REGION: 'us-east-1',
      WORKER_MAX_CONCURRENT_ACTIVITIES: 20,
      WORKER_MAX_CACHED_WORKFLOWS: 100,
      LOG_LEVEL: 'info',
    });
    expect(config.TEMPORAL_TLS).toBeUndefined();
    expect(config.TEMPORAL_API_KEY).toBeUndefined();
    expect(config.AWS_ENDPOINT_URL).toBeUndefined();
  });

  it('reads the given values, coercing numbers and booleans', () => {
    const config = workerConfigFromEnv({
      AWS_REGION: 'eu-west-2',
      TEMPORAL_ADDRESS: 'temporal.internal.example:7233',
      TEMPORAL_NAMESPACE: 'identity',
      TEMPORAL_TLS: 'true',
      WORKER_MAX_CONCURRENT_ACTIVITIES: '5',
      WORKER_MAX_CACHED_WORKFLOWS: '300',
      LOG_LEVEL: 'debug',
      AWS_ENDPOINT_URL: 'http://localhost:4566',
    });
    expect(config).toMatchObject({
      AWS_REGION: 'eu-west-2',
      TEMPORAL_ADDRESS: 'temporal.internal.example:7233',
      TEMPORAL_NAMESPACE: 'identity',
      TEMPORAL_TLS: true,
      WORKER_MAX_CONCURRENT_ACTIVITIES: 5,
      WORKER_MAX_CACHED_WORKFLOWS: 300,
      LOG_LEVEL: 'debug',
      AWS_ENDPOINT_URL: 'http://localhost:4566',
    });
    expect(workerConfigFromEnv({ AWS_REGION: 'us-east-1', TEMPORAL_TLS: '0' }).TEMPORAL_TLS).toBe(false);
  });

  it('accepts AWS_DEFAULT_REGION when AWS_REGION is missing, and prefers AWS_REGION when both are set', () => {
    expect(workerConfigFromEnv({ AWS_DEFAULT_REGION: 'ap-southeast-2' }).AWS_REGION).toBe('ap-southeast-2');
    expect(workerConfigFromEnv({ AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'ap-southeast-2' }).AWS_REGION).toBe('us-west-2');
  });

  it('names every bad variable in one error', () => {
    const message = errorMessage(() => workerConfigFromEnv({ TEMPORAL_ADDRESS: 'http://localhost', LOG_LEVEL: 'verbose' }));

    expect(message).toMatch(/^Invalid worker environment:/);
    expect(message).toMatch(/AWS_REGION: is not set/);
    expect(message).toMatch(/TEMPORAL_ADDRESS: expected host:port/);
    expect(message).toMatch(/LOG_LEVEL: .*info/);
    expect(message.split('\n').filter((line) => line.startsWith('  - '))).toHaveLength(3);
  });

  it('does not call a set but mistyped variable "not set"', () => {
    const message = errorMessage(() => workerConfigFromEnv({ AWS_REGION: 'us-east-1', WORKER_MAX_CONCURRENT_ACTIVITIES: 'many' }));
    expect(message).toContain('WORKER_MAX_CONCURRENT_ACTIVITIES: ');
    expect(message).toContain('expected number');
    expect(message).not.toContain('is not set');
  });

  it('explains a malformed region and a non-positive concurrency', () => {
    const message = errorMessage(() => workerConfigFromEnv({ AWS_REGION: 'US East', WORKER_MAX_CONCURRENT_ACTIVITIES: '0' }));
    expect(message).toContain('AWS_REGION: expected an AWS region such as us-east-1');
    expect(message).toContain('WORKER_MAX_CONCURRENT_ACTIVITIES');
    expect(message).not.toContain('is not set');
  });

  it('refuses a workflow cache of one run, which the SDK would silently raise to two', () => {
    const message = errorMessage(() => workerConfigFromEnv({ AWS_REGION: 'us-east-1', WORKER_MAX_CACHED_WORKFLOWS: '1' }));
    expect(message).toMatch(/WORKER_MAX_CACHED_WORKFLOWS: .*2/);
  });
});

describe('temporalConfigFromEnv', () => {
  it('needs no AWS settings and rejects a bad address', () => {
    expect(temporalConfigFromEnv({}).TEMPORAL_ADDRESS).toBe('localhost:7233');
    const message = errorMessage(() => temporalConfigFromEnv({ TEMPORAL_ADDRESS: 'localhost' }));
    expect(message).toContain('TEMPORAL_ADDRESS');
    expect(message).not.toContain('AWS_REGION');
  });
});

describe('isLocalTemporal', () => {
  it.each([
    ['localhost:7233', true],
    ['127.0.0.1:7233', true],
    ['[::1]:7233', true],
    ['temporal.example.com:7233', false],
    ['my-ns.a1b2c.tmprl.cloud:7233', false],
    ['localhost.example.com:7233', false],
    ['10.0.0.5:7233', false],
    ['localhost', false],
  ])('%s → %s', (address, local) => {
    expect(isLocalTemporal(address)).toBe(local);
  });
});
