import { CleanRoomsClient, GetMembershipCommand } from '@aws-sdk/client-cleanrooms';
import { EntityResolutionClient } from '@aws-sdk/client-entityresolution';
import { GlueClient } from '@aws-sdk/client-glue';
import { GetBucketLocationCommand, NoSuchBucket, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAmcPrerequisiteActivities, type AmcPrerequisitesInput } from '../../activities/amc-id-mapping/amc-prerequisites';
import { withAwsFailureMapping } from '../../activities/support/aws-errors';
import { AMC_BUCKETS_INVALID, AMC_COLLABORATION_ENDED, AMC_CREDENTIALS_INVALID, AMC_REGION_UNSUPPORTED } from '../../schemas/failures';
import { activityFailureOf } from '../helpers/failures';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
function clientsIn(region: string, glueRegion = region) {
  return {
    s3: new S3Client({ region, credentials }),
    glue: new GlueClient({ region: glueRegion, credentials }),
    entityResolution: new EntityResolutionClient({ region, credentials }),
    cleanRooms: new CleanRoomsClient({ region, credentials }),
    secrets: new SecretsManagerClient({ region, credentials }),
  };
}
const deps = clientsIn('us-east-1');
const s3 = mockClient(deps.s3);
const secrets = mockClient(deps.secrets);
const cleanRooms = mockClient(deps.cleanRooms);
const { checkAmcPrerequisites } = withAwsFailureMapping(createAmcPrerequisiteActivities(deps));

const SECRET_VALUES = { clientId: 'amzn1.application-oa2-client.x', clientSecret: 'never-shown-secret', refreshToken: 'Atzr|never-shown-token' };
const input: AmcPrerequisitesInput = {
  dataPrefix: 's3://amc-data/tables/',
  workPrefix: 's3://amc-work/customers/',
  queryResultsBucket: 'amc-results',
  credentialsSecretId: 'identity/amc-credentials',
};

beforeEach(() => {
  s3.reset();
  secrets.reset();
  cleanRooms.reset();
  s3.on(GetBucketLocationCommand).resolves({});
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(SECRET_VALUES) });
});

describe('checkAmcPrerequisites', () => {
  it('passes with us-east-1 everywhere, naming the buckets and the secret keys but no secret value', async () => {
    const result = await checkAmcPrerequisites(input);
    expect(result).toEqual({ region: 'us-east-1', buckets: { 'amc-data': 'us-east-1', 'amc-work': 'us-east-1', 'amc-results': 'us-east-1' }, credentialKeys: ['clientId', 'clientSecret', 'refreshToken'] });
    for (const value of Object.values(SECRET_VALUES)) expect(JSON.stringify(result)).not.toContain(value);
  });

  it('refuses a worker client outside us-east-1 before any call', async () => {
    const elsewhere = clientsIn('us-east-1', 'eu-west-1');
    const failure = await activityFailureOf(withAwsFailureMapping(createAmcPrerequisiteActivities(elsewhere)).checkAmcPrerequisites(input));
    expect(failure.type).toBe(AMC_REGION_UNSUPPORTED);
    expect(failure.message).toContain("the worker's glue client (eu-west-1)");
  });

  it('refuses a KMS key of another Region', async () => {
    const failure = await activityFailureOf(checkAmcPrerequisites({ ...input, kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/abc' }));
    expect(failure.type).toBe(AMC_REGION_UNSUPPORTED);
    expect(failure.message).toContain('output.kmsKeyArn (us-west-2)');
  });

  it('refuses the data bucket as query-results bucket, a bucket in eu-west-1 ("EU"), and a missing bucket', async () => {
    const same = await activityFailureOf(checkAmcPrerequisites({ ...input, queryResultsBucket: 'amc-data' }));
    expect(same.type).toBe(AMC_BUCKETS_INVALID);
    expect(same.message).toContain('is the data bucket');

    s3.on(GetBucketLocationCommand, { Bucket: 'amc-results' }).resolves({ LocationConstraint: 'EU' });
    const wrongRegion = await activityFailureOf(checkAmcPrerequisites(input));
    expect(wrongRegion.type).toBe(AMC_BUCKETS_INVALID);
    expect(wrongRegion.message).toContain('amc-results is in eu-west-1');

    s3.on(GetBucketLocationCommand, { Bucket: 'amc-results' }).rejects(new NoSuchBucket({ message: 'no', $metadata: {} }));
    const missing = await activityFailureOf(checkAmcPrerequisites(input));
    expect(missing.type).toBe(AMC_BUCKETS_INVALID);
    expect(missing.message).toContain('Bucket amc-results does not exist');
  });

  it('names the keys the secret lacks, never a value, and refuses a secret that is not JSON', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ clientId: SECRET_VALUES.clientId, clientSecret: '' }) });
    const lacking = await activityFailureOf(checkAmcPrerequisites(input));
    expect(lacking.type).toBe(AMC_CREDENTIALS_INVALID);
    expect(lacking.message).toBe('Secret identity/amc-credentials lacks clientSecret, refreshToken (each a non-empty string): add them and run again');

    secrets.on(GetSecretValueCommand).resolves({ SecretString: `not json ${SECRET_VALUES.refreshToken}` });
    const garbled = await activityFailureOf(checkAmcPrerequisites(input));
    expect(garbled.type).toBe(AMC_CREDENTIALS_INVALID);
    expect(garbled.message).not.toContain(SECRET_VALUES.refreshToken);
  });

  it('checks the membership when the config names one', async () => {
    cleanRooms.on(GetMembershipCommand).resolves({ membership: { id: 'm1', arn: 'arn:m1', collaborationId: 'c1', collaborationName: 'AMC', status: 'REMOVED' } as never });
    expect((await activityFailureOf(checkAmcPrerequisites({ ...input, membershipId: 'm1' }))).type).toBe(AMC_COLLABORATION_ENDED);
    cleanRooms.on(GetMembershipCommand).resolves({ membership: { id: 'm1', arn: 'arn:m1', collaborationId: 'c1', collaborationName: 'AMC', status: 'ACTIVE' } as never });
    expect((await checkAmcPrerequisites({ ...input, membershipId: 'm1' })).membership).toMatchObject({ membershipId: 'm1', collaborationId: 'c1' });
  });
});
