import { describe, expect, it } from 'vitest';
import { amcIamPolicies } from '../../schemas/amc-id-mapping-iam';
import { amcIdMappingInputSchema, type AmcIdMappingInput } from '../../schemas/amc-id-mapping';

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
const statement = (doc: { Statement: { Sid: string }[] }, sid: string) => doc.Statement.find((s) => s.Sid === sid);

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
});
