/** The account field of an ARN (`arn:<partition>:<service>:<region>:<account>:<resource>`); '' when it has none. */
export function arnAccount(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** The Region field of an ARN; '' when it has none. */
export function arnRegion(arn: string): string {
  return arn.split(':')[3] ?? '';
}

/** The partition of a Region's ARNs: aws-cn in China, aws-us-gov in GovCloud, aws elsewhere. */
const arnPartition = (region: string): string => (region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws');

/** A Glue table's ARN, as an Entity Resolution input source names it. */
export const glueTableArn = (region: string, account: string, database: string, table: string): string =>
  `arn:${arnPartition(region)}:glue:${region}:${account}:table/${database}/${table}`;
