/** The account field of an ARN (`arn:<partition>:<service>:<region>:<account>:<resource>`); '' when it has none. */
export function arnAccount(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** The Region field of an ARN; '' when it has none. */
export function arnRegion(arn: string): string {
  return arn.split(':')[3] ?? '';
}
