import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsTarget } from '../../scripts/aws-target';

const emptyHome = () => mkdtempSync(join(tmpdir(), 'home-'));

describe('awsTarget (npm start: sandbox or real AWS)', () => {
  it('uses the sandbox when nothing configures AWS', () => {
    expect(awsTarget({}, emptyHome())).toBe('sandbox');
  });

  it.each(['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_ENDPOINT_URL', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'])(
    'uses AWS when %s is set',
    (name) => {
      expect(awsTarget({ [name]: 'x' }, emptyHome())).toBe('aws');
    },
  );

  it('uses AWS when ~/.aws/config exists', () => {
    const home = emptyHome();
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws', 'config'), '[default]\nregion = us-east-1\n');
    expect(awsTarget({}, home)).toBe('aws');
  });

  it('follows IDENTITY_WORKFLOWS_AWS over detection, and rejects other values', () => {
    expect(awsTarget({ IDENTITY_WORKFLOWS_AWS: 'sandbox', AWS_PROFILE: 'prod' }, emptyHome())).toBe('sandbox');
    expect(awsTarget({ IDENTITY_WORKFLOWS_AWS: 'aws' }, emptyHome())).toBe('aws');
    expect(() => awsTarget({ IDENTITY_WORKFLOWS_AWS: 'moto' }, emptyHome())).toThrow(/"sandbox" or "aws"/);
  });
});
