import { ApplicationFailure } from '@temporalio/common';
import type { CleanRoomsClient } from '@aws-sdk/client-cleanrooms';
import type { EntityResolutionClient } from '@aws-sdk/client-entityresolution';
import type { GlueClient } from '@aws-sdk/client-glue';
import { GetBucketLocationCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AMC_BUCKETS_INVALID, AMC_REGION_UNSUPPORTED } from '../../schemas/failures';
import { requireS3Uri } from '../../storage/s3-uri';
import { AMC_CREDENTIAL_KEYS, parseAmcCredentials } from '../amc-api/amc-credentials';
import { createCleanRoomsActivities, type CheckedMembership } from '../clean-rooms/clean-rooms';

/** AMC collaboration runs in us-east-1 only (Amazon Ads, "Amazon Marketing Cloud - AWS Clean Rooms", Step 3). */
export const AMC_REGION = 'us-east-1';

export interface AmcPrerequisitesInput {
  /** Where prepared tables are published (the Glue locations): the bucket Entity Resolution reads. */
  dataPrefix: string;
  /** Where the workflow keeps its intermediate files. */
  workPrefix: string;
  /** The bucket AMC writes query results to: must not be the data bucket. */
  queryResultsBucket: string;
  kmsKeyArn?: string;
  /** Secrets Manager id or ARN of {"clientId","clientSecret","refreshToken"}. */
  credentialsSecretId: string;
  /** Checked when the config names it (otherwise the AMC collaboration names it later). */
  membershipId?: string;
}

export interface AmcPrerequisites {
  region: typeof AMC_REGION;
  /** Each bucket checked, with its Region. */
  buckets: Record<string, string>;
  credentialKeys: string[];
  membership?: CheckedMembership;
}

export interface AmcPrerequisiteDeps {
  s3: S3Client;
  glue: GlueClient;
  entityResolution: EntityResolutionClient;
  cleanRooms: CleanRoomsClient;
  secrets: SecretsManagerClient;
}

const fatal = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

/** GetBucketLocation's LocationConstraint as a Region: none is us-east-1, and "EU" the old name of eu-west-1. */
const bucketRegion = (constraint: string | undefined) => (!constraint ? 'us-east-1' : constraint === 'EU' ? 'eu-west-1' : constraint);

export function createAmcPrerequisiteActivities(deps: AmcPrerequisiteDeps) {
  const { checkMembership } = createCleanRoomsActivities(deps);

  async function bucketRegions(buckets: string[]): Promise<Record<string, string>> {
    const regions: Record<string, string> = {};
    for (const bucket of buckets) {
      try {
        regions[bucket] = bucketRegion((await deps.s3.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint);
      } catch (err) {
        if ((err as Error).name !== 'NoSuchBucket') throw err;
        throw fatal(AMC_BUCKETS_INVALID, `Bucket ${bucket} does not exist: create it in ${AMC_REGION}, or name another in the config`);
      }
    }
    return regions;
  }

  /** The secret holds the three keys as non-empty strings (values stay in this activity; only key names are returned). */
  async function credentialKeys(secretId: string): Promise<string[]> {
    const secret = await deps.secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    parseAmcCredentials(secretId, secret.SecretString);
    return [...AMC_CREDENTIAL_KEYS];
  }

  /**
   * What AMC ID mapping needs before anything is created: every client, bucket and the KMS key in us-east-1; a
   * query-results bucket apart from the data bucket; the Ads API credentials secret readable with its keys; and the
   * Clean Rooms membership ACTIVE when the config names one.
   */
  async function checkAmcPrerequisites(input: AmcPrerequisitesInput): Promise<AmcPrerequisites> {
    const clients = { s3: deps.s3, glue: deps.glue, entityResolution: deps.entityResolution, cleanRooms: deps.cleanRooms, secretsManager: deps.secrets };
    const elsewhere: string[] = [];
    for (const [name, client] of Object.entries(clients)) {
      const region = await client.config.region();
      if (region !== AMC_REGION) elsewhere.push(`the worker's ${name} client (${region})`);
    }
    const kmsRegion = input.kmsKeyArn?.split(':')[3];
    if (kmsRegion !== undefined && kmsRegion !== AMC_REGION) elsewhere.push(`the KMS key output.kmsKeyArn (${kmsRegion})`);
    if (elsewhere.length > 0) throw fatal(AMC_REGION_UNSUPPORTED, `AMC collaboration runs in ${AMC_REGION} only; ${elsewhere.join(', ')} ${elsewhere.length > 1 ? 'are' : 'is'} not: set AWS_REGION=${AMC_REGION} for the worker and use ${AMC_REGION} resources`);

    const data = requireS3Uri(input.dataPrefix).bucket;
    const work = requireS3Uri(input.workPrefix).bucket;
    if (input.queryResultsBucket === data) {
      throw fatal(AMC_BUCKETS_INVALID, `queryResultsBucket ${data} is the data bucket (output.dataPrefix): AMC needs query results in a different bucket`);
    }
    const buckets = await bucketRegions([...new Set([data, work, input.queryResultsBucket])]);
    const misplaced = Object.entries(buckets).filter(([, region]) => region !== AMC_REGION);
    if (misplaced.length > 0) {
      throw fatal(AMC_BUCKETS_INVALID, `AMC reads and writes buckets in ${AMC_REGION} only: ${misplaced.map(([bucket, region]) => `${bucket} is in ${region}`).join(', ')}`);
    }
    const keys = await credentialKeys(input.credentialsSecretId);
    const membership = input.membershipId === undefined ? undefined : await checkMembership({ membershipId: input.membershipId });
    return { region: AMC_REGION, buckets, credentialKeys: keys, ...(membership ? { membership } : {}) };
  }

  return { checkAmcPrerequisites };
}
