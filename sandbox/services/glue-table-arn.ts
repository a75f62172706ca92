/** A Glue table's ARN, `arn:aws:glue:<region>:<account>:table/<database>/<table>`: what a matching workflow's input names. */
export const GLUE_TABLE_ARN = /^arn:aws:glue:[a-z0-9-]+:\d{12}:table\/([^/]+)\/([^/]+)$/;

/** The database and table a Glue table ARN names, or undefined when it is not one. */
export function parseGlueTableArn(arn: string): { database: string; table: string } | undefined {
  const match = GLUE_TABLE_ARN.exec(arn);
  return match ? { database: match[1]!, table: match[2]! } : undefined;
}
