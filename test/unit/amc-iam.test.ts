import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { npmScriptNodeFlags, PROJECT_ROOT } from '../../toolchain/paths';
import type { AmcIamOutput } from '../../starters/amc-id-mapping-iam';
import { loadConfigFile } from '../../starters/lib/load-config';
import { amcIamPolicies, type PolicyDocument } from '../../schemas/amc-id-mapping/amc-id-mapping-iam';
import { amcIdMappingInputSchema, type AmcIdMappingInput } from '../../schemas/amc-id-mapping/amc-id-mapping';

const base: AmcIdMappingInput = {
  name: 'Acme_AMC',
  region: 'us-east-1',
  account: '123456789012',
  input: { uri: 's3://acme-raw/customers/all.csv' },
  uniqueId: 'customer_id',
  columns: { email: 'EMAIL' },
  output: { dataPrefix: 's3://acme-amc-data/tables/', workPrefix: 's3://acme-amc-work/amc/' },
  queryResultsBucket: 'acme-amc-results',
  glue: { database: 'acme_amc' },
  entityResolution: { passRoleArn: 'arn:aws:iam::123456789012:role/AmcEntityResolution' },
  amc: { instanceId: 'amcabc123', advertiserId: 'ENTITY1ABC', marketplaceId: 'ATVPDKIKX0DER', credentialsSecretId: 'acme/amc-credentials' },
};
const statement = (doc: PolicyDocument, sid: string) => doc.Statement.find((s) => s.Sid === sid);

describe('amcIamPolicies', () => {
  const policies = amcIamPolicies(amcIdMappingInputSchema.parse(base));

  it("the pass role's trust is the guide's Step 2 policy", () => {
    expect(policies.passRoleTrust).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'TargetAssumeRolePolicy', Effect: 'Allow', Principal: { Service: ['entityresolution.amazonaws.com'] }, Action: 'sts:AssumeRole' }],
    });
  });

  it("the pass role's permissions are Step 3's with every placeholder filled", () => {
    expect(policies.passRolePermissions.Statement).toEqual([
      {
        Sid: 'S3InputPermissions',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:ListBucket', 's3:GetBucketLocation'],
        Resource: ['arn:aws:s3:::acme-amc-data', 'arn:aws:s3:::acme-amc-data/tables/*'],
        Condition: { StringEquals: { 's3:ResourceAccount': ['123456789012'] } },
      },
      {
        Sid: 'GluePermissions',
        Effect: 'Allow',
        Action: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions', 'glue:GetSchema', 'glue:GetSchemaVersion', 'glue:BatchGetPartition'],
        Resource: ['arn:aws:glue:us-east-1:123456789012:database/acme_amc', 'arn:aws:glue:us-east-1:123456789012:table/acme_amc/acme_amc', 'arn:aws:glue:us-east-1:123456789012:catalog'],
      },
    ]);
    expect(JSON.stringify(policies)).not.toMatch(/\{\{/);
  });

  it('adds the split tables, and kms:Decrypt for an SSE-KMS key', () => {
    const kmsKeyArn = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const split = amcIamPolicies(amcIdMappingInputSchema.parse({ ...base, split: { allow: true }, output: { ...base.output, kmsKeyArn } }));
    const glue = split.passRolePermissions.Statement.find((s) => s.Sid === 'GluePermissions');
    expect(glue?.Resource).toContain('arn:aws:glue:us-east-1:123456789012:table/acme_amc/acme_amc_*');
    expect(statement(split.passRolePermissions, 'KmsDecrypt')).toEqual({ Sid: 'KmsDecrypt', Effect: 'Allow', Action: 'kms:Decrypt', Resource: kmsKeyArn });
    expect(statement(split.worker, 'Kms')).toMatchObject({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: kmsKeyArn });
  });

  it('lets the worker pass the role to Entity Resolution only, read the input, write data and work, and read the credentials secret', () => {
    expect(statement(policies.worker, 'PassRole')).toEqual({
      Sid: 'PassRole',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: 'arn:aws:iam::123456789012:role/AmcEntityResolution',
      Condition: { StringEquals: { 'iam:PassedToService': 'entityresolution.amazonaws.com' } },
    });
    expect(statement(policies.worker, 'S3ReadInput')).toMatchObject({ Resource: ['arn:aws:s3:::acme-raw', 'arn:aws:s3:::acme-raw/customers/*'] });
    expect(statement(policies.worker, 'S3BucketRegions')).toMatchObject({ Resource: ['arn:aws:s3:::acme-raw', 'arn:aws:s3:::acme-amc-data', 'arn:aws:s3:::acme-amc-work', 'arn:aws:s3:::acme-amc-results'] });
    expect(statement(policies.worker, 'AmcCredentials')).toMatchObject({ Resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:acme/amc-credentials-*' });
    expect(statement(policies.worker, 'Kms')).toBeUndefined();
  });

  it('lets the worker add the statement Clean Rooms puts on the namespace policy for manageResourcePolicies, and nothing more', () => {
    expect(statement(policies.worker, 'EntityResolutionNamespacePolicy')).toEqual({
      Sid: 'EntityResolutionNamespacePolicy',
      Effect: 'Allow',
      Action: 'entityresolution:AddPolicyStatement',
      Resource: 'arn:aws:entityresolution:us-east-1:123456789012:idnamespace/Acme_AMC*',
    });
    expect(statement(policies.worker, 'EntityResolution')?.Action).toContain('entityresolution:GetIdNamespace');
  });
});

/** `npm run amc-id-mapping -- iam` as a user runs it: the script in a child process, no Temporal, no AWS. */
const run = promisify(execFile);
async function iam(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(join(PROJECT_ROOT, 'node_modules/.bin/tsx'), [...npmScriptNodeFlags('amc-id-mapping'), join(PROJECT_ROOT, 'starters/amc-id-mapping.ts'), 'iam', ...args], { cwd: PROJECT_ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run amc-id-mapping -- iam', { timeout: 30_000 }, () => {
  const example = 'examples/amc-id-mapping.json';
  const policies = amcIamPolicies(loadConfigFile(example, amcIdMappingInputSchema));

  it('prints the pass role (ARN, trust, permissions) and the worker policy as one JSON object, filled in from the config', async () => {
    const { code, stdout, stderr } = await iam(['--config', example]);
    expect(code, stderr).toBe(0);
    const printed = JSON.parse(stdout) as AmcIamOutput;
    expect(printed).toEqual({
      passRole: { arn: 'arn:aws:iam::123456789012:role/AmcEntityResolutionPassRole', trustPolicy: policies.passRoleTrust, permissionsPolicy: policies.passRolePermissions },
      worker: { permissionsPolicy: policies.worker },
    });
    expect(stdout).toContain('arn:aws:s3:::companyname-amc-data/tables/*');
    expect(stdout).not.toMatch(/\{\{|<[a-z]/);
  });

  it('--document prints one policy document alone, as create-role and put-role-policy take it', async () => {
    const trust = await iam(['--config', example, '--document', 'trust']);
    expect(trust.code, trust.stderr).toBe(0);
    expect(JSON.parse(trust.stdout)).toEqual(policies.passRoleTrust);
  });
});
