import type { AmcIdMappingConfig } from './amc-id-mapping';
import { requireS3Uri } from '../../storage/s3-uri';

/*
 * The IAM policies `amcIdMapping` needs, filled in from its config: the pass role Entity Resolution assumes to read
 * the table (Amazon Ads, "Amazon Marketing Cloud - AWS Clean Rooms", Steps 2 and 3), and the worker's own policy.
 */

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string | string[];
  Resource?: string | string[];
  Principal?: { Service: string[] };
  Condition?: Record<string, Record<string, string | string[]>>;
}
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

const policy = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });

/** The bucket ARN and the ARN of the objects under a prefix. */
function s3Arns(prefixUri: string): { bucket: string; objects: string } {
  const { bucket, key } = requireS3Uri(prefixUri);
  return { bucket: `arn:aws:s3:::${bucket}`, objects: `arn:aws:s3:::${bucket}/${key}*` };
}

/** The Glue tables the workflow may create: `<name>`, and `<name>_<n>` when it may split. */
function glueTableArns(config: AmcIdMappingConfig): string[] {
  const base = `arn:aws:glue:${config.region}:${config.account}:table/${config.glue.database}/${config.name.toLowerCase()}`;
  return config.split.allow ? [base, `${base}_*`] : [base];
}

export interface AmcIamPolicies {
  passRoleTrust: PolicyDocument;
  passRolePermissions: PolicyDocument;
  worker: PolicyDocument;
}

export function amcIamPolicies(config: AmcIdMappingConfig): AmcIamPolicies {
  const { region, account } = config;
  const data = s3Arns(config.output.dataPrefix);
  const work = s3Arns(config.output.workPrefix);
  const input = s3Arns(config.input.uri.endsWith('/') ? config.input.uri : config.input.uri.replace(/[^/]*$/, ''));
  const catalog = `arn:aws:glue:${region}:${account}:catalog`;
  const database = `arn:aws:glue:${region}:${account}:database/${config.glue.database}`;
  const tables = glueTableArns(config);
  const kms = config.output.kmsKeyArn;
  const namespaceArn = `arn:aws:entityresolution:${region}:${account}:idnamespace/${config.name}*`;
  const schemaArn = `arn:aws:entityresolution:${region}:${account}:schemamapping/${config.name}_*`;
  const secretArn = config.amc.credentialsSecretId.startsWith('arn:')
    ? config.amc.credentialsSecretId
    : `arn:aws:secretsmanager:${region}:${account}:secret:${config.amc.credentialsSecretId}-*`;

  const passRoleTrust = policy({ Sid: 'TargetAssumeRolePolicy', Effect: 'Allow', Principal: { Service: ['entityresolution.amazonaws.com'] }, Action: 'sts:AssumeRole' });
  const passRolePermissions = policy(
    {
      Sid: 'S3InputPermissions',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:ListBucket', 's3:GetBucketLocation'],
      Resource: [data.bucket, data.objects],
      Condition: { StringEquals: { 's3:ResourceAccount': [account] } },
    },
    {
      Sid: 'GluePermissions',
      Effect: 'Allow',
      Action: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions', 'glue:GetSchema', 'glue:GetSchemaVersion', 'glue:BatchGetPartition'],
      Resource: [database, ...tables, catalog],
    },
    ...(kms ? [{ Sid: 'KmsDecrypt', Effect: 'Allow' as const, Action: 'kms:Decrypt', Resource: kms }] : []),
  );
  const worker = policy(
    { Sid: 'S3ReadInput', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [input.bucket, input.objects] },
    { Sid: 'S3WriteDataAndWork', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket', 's3:AbortMultipartUpload'], Resource: [data.bucket, data.objects, work.bucket, work.objects] },
    { Sid: 'S3BucketRegions', Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: [...new Set([input.bucket, data.bucket, work.bucket, `arn:aws:s3:::${config.queryResultsBucket}`])] },
    { Sid: 'GlueTables', Effect: 'Allow', Action: ['glue:GetDatabase', 'glue:CreateDatabase', 'glue:GetTable', 'glue:CreateTable', 'glue:UpdateTable'], Resource: [catalog, database, ...tables] },
    {
      Sid: 'EntityResolution',
      Effect: 'Allow',
      Action: ['entityresolution:GetSchemaMapping', 'entityresolution:CreateSchemaMapping', 'entityresolution:UpdateSchemaMapping', 'entityresolution:GetIdNamespace', 'entityresolution:CreateIdNamespace', 'entityresolution:UpdateIdNamespace'],
      Resource: [schemaArn, namespaceArn],
    },
    // manageResourcePolicies: Clean Rooms adds a statement to the namespace's policy as the caller (the CloudFormation
    // schema of AWS::CleanRooms::IdNamespaceAssociation lists entityresolution:AddPolicyStatement for Create and Update).
    { Sid: 'EntityResolutionNamespacePolicy', Effect: 'Allow', Action: 'entityresolution:AddPolicyStatement', Resource: namespaceArn },
    { Sid: 'PassRole', Effect: 'Allow', Action: 'iam:PassRole', Resource: config.entityResolution.passRoleArn, Condition: { StringEquals: { 'iam:PassedToService': 'entityresolution.amazonaws.com' } } },
    // The membership id may come from AMC's collaboration at run time, so it cannot be named here.
    {
      Sid: 'CleanRooms',
      Effect: 'Allow',
      Action: ['cleanrooms:GetMembership', 'cleanrooms:ListIdNamespaceAssociations', 'cleanrooms:GetIdNamespaceAssociation', 'cleanrooms:CreateIdNamespaceAssociation', 'cleanrooms:UpdateIdNamespaceAssociation'],
      Resource: '*',
    },
    { Sid: 'AmcCredentials', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn },
    ...(kms ? [{ Sid: 'Kms', Effect: 'Allow' as const, Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: kms }] : []),
  );
  return { passRoleTrust, passRolePermissions, worker };
}

