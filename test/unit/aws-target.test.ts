import { describe, expect, it } from 'vitest';
import { awsTarget, useSandboxAws } from '../../scripts/local-stack/aws-target';

describe('awsTarget (npm start: sandbox or real AWS)', () => {
  it('uses the sandbox by default, even when AWS is configured on the machine', () => {
    expect(awsTarget({})).toBe('sandbox');
    expect(awsTarget({ AWS_PROFILE: 'prod', AWS_ACCESS_KEY_ID: 'AKIA...', AWS_REGION: 'eu-west-1' })).toBe('sandbox');
  });

  it('uses real AWS only when asked, by IDENTITY_WORKFLOWS_AWS=aws or --aws', () => {
    expect(awsTarget({ IDENTITY_WORKFLOWS_AWS: 'aws' })).toBe('aws');
    expect(awsTarget({}, ['node', 'start-local-stack.ts', '--aws'])).toBe('aws');
    expect(awsTarget({ IDENTITY_WORKFLOWS_AWS: 'sandbox' })).toBe('sandbox');
  });

  it('rejects other values and a contradictory choice', () => {
    expect(() => awsTarget({ IDENTITY_WORKFLOWS_AWS: 'moto' })).toThrow(/"sandbox" or "aws"/);
    expect(() => awsTarget({ IDENTITY_WORKFLOWS_AWS: 'sandbox' }, ['--aws'])).toThrow(/contradicts/);
  });
});

describe('useSandboxAws', () => {
  it('points the SDK at the sandbox and drops settings that would reach an account', () => {
    const env: NodeJS.ProcessEnv = {
        PATH: '/usr/bin',
        AWS_REGION: 'eu-west-1',
        AWS_PROFILE: 'prod',
        AWS_ACCESS_KEY_ID: 'AKIAREAL',
        AWS_SECRET_ACCESS_KEY: 'real-secret',
        AWS_SESSION_TOKEN: 'real-token',
        AWS_ENDPOINT_URL_S3: 'https://s3.example.com',
        AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/token',
    };
    useSandboxAws(env, 'http://127.0.0.1:4566');
    expect(env).toEqual({
      PATH: '/usr/bin',
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_ACCESS_KEY_ID: 'sandbox',
      AWS_SECRET_ACCESS_KEY: 'sandbox',
    });
  });
});
