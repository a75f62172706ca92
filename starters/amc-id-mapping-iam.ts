import { amcIamPolicies, type PolicyDocument } from '../schemas/amc-id-mapping/amc-id-mapping-iam';
import type { AmcIdMappingConfig } from '../schemas/amc-id-mapping/amc-id-mapping';

/** What `amc-id-mapping iam --document` prints alone, ready for `file://` in `aws iam create-role` / `put-role-policy`. */
export const IAM_DOCUMENTS = ['trust', 'pass-role', 'worker'] as const;
export type IamDocument = (typeof IAM_DOCUMENTS)[number];

export interface AmcIamOutput {
  passRole: { arn: string; trustPolicy: PolicyDocument; permissionsPolicy: PolicyDocument };
  worker: { permissionsPolicy: PolicyDocument };
}

export function amcIamOutput(config: AmcIdMappingConfig): AmcIamOutput {
  const policies = amcIamPolicies(config);
  return {
    passRole: { arn: config.entityResolution.passRoleArn, trustPolicy: policies.passRoleTrust, permissionsPolicy: policies.passRolePermissions },
    worker: { permissionsPolicy: policies.worker },
  };
}

export function amcIamDocument(config: AmcIdMappingConfig, document: IamDocument): PolicyDocument {
  const output = amcIamOutput(config);
  if (document === 'trust') return output.passRole.trustPolicy;
  return document === 'pass-role' ? output.passRole.permissionsPolicy : output.worker.permissionsPolicy;
}
