import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { parseLocation, readBytes } from '../../storage/data-location';
import { AUDIENCE_FILE_CHANGED, TIKTOK_AUDIENCE_AMBIGUOUS, TIKTOK_AUDIENCE_PROCESSING, TiktokFailureType } from '../../schemas/failures';
import { TIKTOK_SECRET_KEYS } from './tiktok-credentials';
import { tiktokCall, type TiktokHttpDeps } from './tiktok-http';
import { readAudienceDetail, readAudiencePage, readCreatedAudienceId, readFilePath, type AudienceDetail, type AudienceSummary } from './tiktok-shapes';
import type { TiktokTarget } from './tiktok-target';

export type AudienceAction = 'APPEND' | 'REMOVE' | 'REPLACE';

export type FoundAudience = { found: 'none' } | { found: 'one'; audienceId: string; calculateType?: string } | { found: 'many'; audienceIds: string[] };

const PAGE_SIZE = 100;
const UPLOAD_TIMEOUT_MS = 5 * 60_000;

export function createTiktokAudienceActivities(http: TiktokHttpDeps, s3: S3Client | undefined) {
  const call = tiktokCall.bind(null, http);

  /** Every audience of the advertiser, page by page (as the AWS solution's uploader looks a name up). */
  async function listAudiences(tiktok: TiktokTarget): Promise<AudienceSummary[]> {
    const all: AudienceSummary[] = [];
    for (let page = 1; ; page++) {
      const data = await call(tiktok, { operation: 'ListCustomAudiences', method: 'GET', path: '/dmp/custom_audience/list/', query: { page, page_size: PAGE_SIZE } });
      const { audiences, totalPages } = readAudiencePage(data);
      all.push(...audiences);
      if (page >= totalPages || audiences.length === 0) return all;
    }
  }

  /** By id when the config pins one, else by name: TikTok allows several audiences of one name. */
  async function findAudience(input: { tiktok: TiktokTarget; name: string; id?: string }): Promise<FoundAudience> {
    const audiences = await listAudiences(input.tiktok);
    const matches = audiences.filter((a) => (input.id === undefined ? a.name === input.name : a.audienceId === input.id));
    if (matches.length === 0) return { found: 'none' };
    if (matches.length === 1) return { found: 'one', audienceId: matches[0]!.audienceId, ...(matches[0]!.calculateType ? { calculateType: matches[0]!.calculateType } : {}) };
    return { found: 'many', audienceIds: matches.map((a) => a.audienceId) };
  }

  return {
    /** The secret holds both keys and TikTok accepts the token for the advertiser (one list call). */
    async checkTiktokCredentials(input: { tiktok: TiktokTarget }): Promise<{ keys: ['ACCESS_TOKEN', 'ADVERTISER_ID'] }> {
      await call(input.tiktok, { operation: 'ListCustomAudiences', method: 'GET', path: '/dmp/custom_audience/list/', query: { page: 1, page_size: 1 } });
      return { keys: [...TIKTOK_SECRET_KEYS] };
    },

    findAudience,

    /**
     * Uploads one customer file, signed with its MD5. The object is read whole and its MD5 checked
     * against the one the snapshot recorded before anything is sent: a changed file is refused.
     */
    async uploadAudienceFile(input: { tiktok: TiktokTarget; uri: string; md5: string; calculateType: string }): Promise<{ filePath: string }> {
      const chunks: Buffer[] = [];
      const hash = createHash('md5');
      for await (const chunk of await readBytes(parseLocation(input.uri), s3)) {
        hash.update(chunk as Buffer);
        chunks.push(chunk as Buffer);
      }
      const md5 = hash.digest('hex');
      if (md5 !== input.md5.toLowerCase()) {
        throw ApplicationFailure.create({
          type: AUDIENCE_FILE_CHANGED,
          nonRetryable: true,
          message: `${input.uri} has MD5 ${md5}, not the ${input.md5} its snapshot recorded: it changed after the snapshot was built; run again to build a new one`,
        });
      }
      const file = new File(chunks, basename(parseLocation(input.uri).uri) || 'audience.csv', { type: 'text/plain' });
      const data = await call(input.tiktok, {
        operation: 'UploadAudienceFile',
        method: 'POST',
        path: '/dmp/custom_audience/file/upload/',
        form: { calculate_type: input.calculateType, file_signature: md5, file },
        timeoutMs: UPLOAD_TIMEOUT_MS,
      });
      return { filePath: readFilePath(data) };
    },

    /**
     * Creates the audience from already uploaded files, after looking for it by name on every attempt:
     * a create whose answer was lost is adopted, never repeated.
     */
    async createAudience(input: { tiktok: TiktokTarget; name: string; calculateType: string; filePaths: string[]; retentionDays?: number }): Promise<{ audienceId: string; adopted: boolean }> {
      const existing = await findAudience({ tiktok: input.tiktok, name: input.name });
      if (existing.found === 'one') return { audienceId: existing.audienceId, adopted: true };
      if (existing.found === 'many') throw ambiguous(input.name, existing.audienceIds);
      const data = await call(input.tiktok, {
        operation: 'CreateCustomAudience',
        method: 'POST',
        path: '/dmp/custom_audience/create/',
        json: {
          custom_audience_name: input.name,
          calculate_type: input.calculateType,
          file_paths: input.filePaths,
          ...(input.retentionDays === undefined ? {} : { retention_in_days: input.retentionDays }),
        },
      });
      return { audienceId: readCreatedAudienceId(data), adopted: false };
    },

    /** APPEND, REMOVE or REPLACE with uploaded files; the action is always sent (TikTok's default is REPLACE). */
    async updateAudience(input: { tiktok: TiktokTarget; audienceId: string; action: AudienceAction; filePaths: string[] }): Promise<void> {
      await call(input.tiktok, {
        operation: 'UpdateCustomAudience',
        method: 'POST',
        path: '/dmp/custom_audience/update/',
        json: { custom_audience_id: input.audienceId, action: input.action, file_paths: input.filePaths },
      });
    },

    /** The audience's detail once TikTok has processed it; a benign, retryable failure while it is still calculating. */
    async checkAudienceProcessed(input: { tiktok: TiktokTarget; audienceId: string }): Promise<AudienceDetail> {
      const data = await call(input.tiktok, {
        operation: 'GetCustomAudiences',
        method: 'GET',
        path: '/dmp/custom_audience/get/',
        query: { custom_audience_ids: [input.audienceId] },
      });
      const detail = readAudienceDetail(data, input.audienceId);
      if (!detail) {
        throw ApplicationFailure.create({ type: TiktokFailureType.requestRejected, nonRetryable: true, message: `TikTok does not know audience ${input.audienceId} (deleted?)` });
      }
      if (detail.isValid) return detail;
      throw ApplicationFailure.create({
        type: TIKTOK_AUDIENCE_PROCESSING,
        message: `audience ${input.audienceId} is still being processed by TikTok`,
        category: ApplicationFailureCategory.BENIGN,
      });
    },
  };
}

function ambiguous(name: string, audienceIds: string[]) {
  return ApplicationFailure.create({
    type: TIKTOK_AUDIENCE_AMBIGUOUS,
    nonRetryable: true,
    message: `${audienceIds.length} TikTok audiences are named "${name}" (ids ${audienceIds.join(', ')}): set audience.id to the one to keep in step`,
    details: [{ audienceIds }],
  });
}
