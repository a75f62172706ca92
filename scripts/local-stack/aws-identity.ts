import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

export interface AwsIdentity {
  account: string;
  arn: string;
  region: string;
}

/** Who a stack on real AWS will act as, resolved before anything starts so the banner can name it. */
export async function resolveAwsIdentity(region: string): Promise<AwsIdentity> {
  const sts = new STSClient({ region });
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    return { account: identity.Account ?? 'unknown', arn: identity.Arn ?? 'unknown', region };
  } catch (err) {
    throw new Error(
      `IDENTITY_WORKFLOWS_AWS=aws, but the AWS credentials could not be used (${(err as Error).name}: ${(err as Error).message}). ` +
        'Configure credentials (AWS_PROFILE, keys, SSO login) or run without IDENTITY_WORKFLOWS_AWS=aws to use the local sandbox.',
    );
  } finally {
    sts.destroy();
  }
}
