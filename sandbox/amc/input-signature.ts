import { createHash } from 'node:crypto';
import { GetTableCommand } from '@aws-sdk/client-glue';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { EmulatorClients } from '../emulators/emulator-clients';
import { parseGlueTableArn } from '../services/glue-table-arn';
import { parseS3Uri } from '../../storage/s3-uri';
import type { StateStore } from '../state';
import type { InputSignature } from './mapping-tables';

/**
 * What an ID namespace's input is now: a digest of the keys and ETags of the objects under each of its
 * Glue tables' locations, so the stand-in can refuse a refresh whose input did not change. Undefined
 * (no refusal) when the namespace or a table cannot be read.
 */
export function namespaceInputSignature(store: StateStore, clients: () => EmulatorClients | undefined): InputSignature {
  return async (idNamespaceArn) => {
    const data = clients();
    const name = idNamespaceArn.split('/').pop() ?? '';
    const namespace = store.get().entityResolution.idNamespaces[name];
    const sources = (namespace?.inputSourceConfig as { inputSourceARN?: string }[] | undefined) ?? [];
    if (!data || sources.length === 0) return undefined;
    const digest = createHash('sha256');
    try {
      for (const source of sources) {
        const table = parseGlueTableArn(source.inputSourceARN ?? '');
        if (!table) return undefined;
        const { Table } = await data.glue.send(new GetTableCommand({ DatabaseName: table.database, Name: table.table }));
        const location = parseS3Uri(Table?.StorageDescriptor?.Location ?? '');
        if (!location) return undefined;
        let token: string | undefined;
        do {
          const page = await data.s3.send(new ListObjectsV2Command({ Bucket: location.bucket, Prefix: location.key, ContinuationToken: token }));
          for (const o of page.Contents ?? []) digest.update(`${o.Key}\0${o.ETag}\0`);
          token = page.NextContinuationToken;
        } while (token);
      }
    } catch {
      return undefined;
    }
    return digest.digest('hex');
  };
}
