import { ApplicationFailure } from '@temporalio/common';
import {
  CreateIdNamespaceCommand,
  GetIdNamespaceCommand,
  UpdateIdNamespaceCommand,
  type EntityResolutionClient,
  type IdNamespaceIdMappingWorkflowProperties,
  type IdNamespaceInputSource,
} from '@aws-sdk/client-entityresolution';
import type { EnsuredResource } from '../../schemas/ensured-resource';
import { ER_RESOURCE_DRIFT } from '../../schemas/failures';
import { ensureResource, entityResolutionErrors } from '../support/existing-or-created';
import { describeDrift } from '../support/resource-drift';

export interface IdNamespaceSpec {
  idNamespaceName: string;
  description?: string;
  type: 'SOURCE' | 'TARGET';
  inputSourceConfig: IdNamespaceInputSource[];
  idMappingWorkflowProperties: IdNamespaceIdMappingWorkflowProperties[];
  /** The role Entity Resolution assumes to read the input sources (arn:aws:iam::<account>:role/…). */
  roleArn?: string;
}

/** The parts of a namespace this project sets, with absent lists and strings filled in, inputs in ARN order. */
function canonicalNamespace(spec: Omit<IdNamespaceSpec, 'idNamespaceName'>) {
  return {
    type: spec.type,
    description: spec.description ?? '',
    roleArn: spec.roleArn ?? '',
    inputSourceConfig: Object.fromEntries([...spec.inputSourceConfig].sort((a, b) => (a.inputSourceARN ?? '').localeCompare(b.inputSourceARN ?? '')).map((i) => [i.inputSourceARN ?? '', i.schemaName ?? ''])),
    idMappingWorkflowProperties: spec.idMappingWorkflowProperties.map((p) => ({
      idMappingType: p.idMappingType ?? '',
      ruleDefinitionTypes: [...(p.ruleBasedProperties?.ruleDefinitionTypes ?? [])].sort().join(','),
      attributeMatchingModel: p.ruleBasedProperties?.attributeMatchingModel ?? '',
      recordMatchingModels: [...(p.ruleBasedProperties?.recordMatchingModels ?? [])].sort().join(','),
      rules: (p.ruleBasedProperties?.rules ?? []).map((r) => `${r.ruleName}:${(r.matchingKeys ?? []).join('+')}`).join(','),
      providerServiceArn: p.providerProperties?.providerServiceArn ?? '',
    })),
  };
}

export function createIdNamespaceActivities({ entityResolution }: { entityResolution: EntityResolutionClient }) {
  /**
   * Ensures an Entity Resolution ID namespace (AMC's is a SOURCE over the prepared Glue tables, Amazon Ads' "Amazon
   * Marketing Cloud - AWS Clean Rooms" Step 4). Created when missing; a different type cannot be updated, so it fails;
   * other differences are updated (onDrift 'update') or reported field by field ('fail').
   */
  async function ensureIdNamespace(input: { spec: IdNamespaceSpec; onDrift: 'update' | 'fail' }): Promise<EnsuredResource> {
    const { spec } = input;
    const fail = (drift: EnsuredResource['drift'], why: string) =>
      ApplicationFailure.create({
        type: ER_RESOURCE_DRIFT,
        message: `ID namespace ${spec.idNamespaceName} exists with a different configuration (${describeDrift(drift)}): ${why}`,
        nonRetryable: true,
        details: [{ drift }],
      });
    return ensureResource({
      name: spec.idNamespaceName,
      errors: entityResolutionErrors,
      get: () => entityResolution.send(new GetIdNamespaceCommand({ idNamespaceName: spec.idNamespaceName })),
      create: () => entityResolution.send(new CreateIdNamespaceCommand(spec)),
      update: () => {
        const { type: _type, ...changeable } = spec;
        return entityResolution.send(new UpdateIdNamespaceCommand(changeable));
      },
      arn: (found) => ('created' in found ? found.created : found.existing).idNamespaceArn ?? '',
      current: (current) =>
        canonicalNamespace({
          type: current.type as IdNamespaceSpec['type'],
          description: current.description,
          roleArn: current.roleArn,
          inputSourceConfig: current.inputSourceConfig ?? [],
          idMappingWorkflowProperties: current.idMappingWorkflowProperties ?? [],
        }),
      wanted: canonicalNamespace(spec),
      refuseUpdate: (_current, drift) => {
        if (drift.some((d) => d.field === 'type')) throw fail(drift, 'Entity Resolution cannot change a namespace\'s type: delete it (and its Clean Rooms association) or choose another name.');
        if (input.onDrift === 'fail') throw fail(drift, 'onDrift is "fail": update it to match the config, or set onDrift to "update".');
      },
    });
  }

  return { ensureIdNamespace };
}
