import { ApplicationFailure, defineQuery, defineSignal, defineUpdate, log, setHandler } from '@temporalio/workflow';
import { z } from 'zod';
import { INVALID_OPERATOR_ACTION } from '../../schemas/failures';
import { operatorActionSchema, type OperatorAction } from '../../schemas/operator-action';
import { parsedOrIgnored, parsedOrRefused } from '../support/message-payloads';
import type { AmcGuardState } from '../../schemas/amc-id-mapping/amc-id-mapping-state';
import type { AmcIdMappingStatus } from './amc-id-mapping-status';

/** Why the guard should look at its input again. No URI and no value: ids and times only. */
export const inputNoticeSchema = z
  .object({
    reason: z.enum(['schedule', 'operator', 'event']),
    requestId: z.string().regex(/^[A-Za-z0-9._:/-]{1,200}$/, 'must be an id (letters, digits, . _ : / -)'),
    at: z.string().datetime(),
  })
  .strict();
export type InputNotice = z.infer<typeof inputNoticeSchema>;

export interface DataChangedAnswer {
  accepted: true;
  pending: AmcGuardState['pending'] | null;
  nextEligibleAt?: string;
}
export interface DeleteTableAnswer {
  accepted: true;
  tables: string[];
  kept: string;
}

/** `asOf` (ISO time, optional): the instant to report checks for; a query cannot read the clock. */
export const amcIdMappingStatusQuery = defineQuery<AmcIdMappingStatus, [asOf?: string]>('status');
/** New input may have arrived: several notices before the guard looks coalesce into one look. */
export const dataChangedSignal = defineSignal<[InputNotice]>('dataChanged');
export const dataChangedUpdate = defineUpdate<DataChangedAnswer, [InputNotice]>('dataChanged');
/** Deletes the AMC mapping table(s) once no job runs, then ends the run. Glue, ER, Clean Rooms resources and data are kept. */
export const deleteTableUpdate = defineUpdate<DeleteTableAnswer, [OperatorAction]>('deleteTable');

export const KEPT_ON_DELETE = 'the Glue tables, Entity Resolution schema mappings and ID namespace, the Clean Rooms association and the data are kept';

/**
 * Registers the message handlers (call before the first await). `nextEligibleAt` tells callers when a
 * pending change will be refreshed.
 */
export function handleAmcMessages(state: AmcGuardState, nextEligibleAt: () => string | undefined): void {
  const notice = (n: InputNotice) => {
    state.inbox.notices += 1;
    state.inbox.lastNoticeAt = n.at;
    state.inbox.lastRequestId = n.requestId;
  };
  const noticeValidator = (n: InputNotice) => {
    parsedOrRefused(inputNoticeSchema, n, 'input notice');
    if (state.deleteRequested) throw ApplicationFailure.nonRetryable(`The table is being deleted (by ${state.deleteRequested.by}): input is no longer watched`, INVALID_OPERATOR_ACTION);
  };
  setHandler(
    dataChangedUpdate,
    (n) => {
      notice(inputNoticeSchema.parse(n));
      return { accepted: true, pending: state.pending ?? null, nextEligibleAt: state.pending ? nextEligibleAt() : undefined };
    },
    { validator: noticeValidator },
  );
  setHandler(dataChangedSignal, (n) => {
    const valid = parsedOrIgnored(inputNoticeSchema, n, 'dataChanged');
    if (!valid) return;
    if (state.deleteRequested) log.warn("Ignored the 'dataChanged' signal: the table is being deleted");
    else notice(valid);
  });
  setHandler(
    deleteTableUpdate,
    (action) => {
      state.deleteRequested = operatorActionSchema.parse(action);
      return { accepted: true, tables: state.tables.map((t) => t.name), kept: KEPT_ON_DELETE };
    },
    {
      validator: (action) => {
        parsedOrRefused(operatorActionSchema, action, 'operator action');
        if (state.deleteRequested) throw ApplicationFailure.nonRetryable(`Already being deleted (asked by ${state.deleteRequested.by})`, INVALID_OPERATOR_ACTION);
        if (state.tables.length === 0) throw ApplicationFailure.nonRetryable(`There is no AMC mapping table yet (stage ${state.stage}): nothing to delete`, INVALID_OPERATOR_ACTION);
      },
    },
  );
}
