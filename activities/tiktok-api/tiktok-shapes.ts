/*
 * TikTok's DMP custom-audience answers, read leniently. The official SDK documents the calls but not
 * every member of list/get answers, and clients spell the created id `custom_audience_id` or
 * `audience_id`; each reader accepts the spellings seen and keeps only the members named here.
 * Verified against the sandbox's TikTok stand-in only: real answers belong in test/fixtures/tiktok/.
 */

import { bool, isObject, num, objects, str, type Json } from '../support/lenient-json';

/** An answer that lacks what the call exists for: TikTok changed, or the base URL is not TikTok. */
export class TiktokShapeError extends Error {
  override readonly name = 'TiktokShapeError';
}

/** Upload: `{file_path}`. */
export function readFilePath(data: Json): string {
  const path = str(data, 'file_path');
  if (!path) throw new TiktokShapeError('UploadAudienceFile: the answer has no file_path');
  return path;
}

/** Create: `{custom_audience_id}` (some clients read `audience_id`). */
export function readCreatedAudienceId(data: Json): string {
  const id = str(data, 'custom_audience_id', 'audience_id');
  if (!id) throw new TiktokShapeError('CreateCustomAudience: the answer has no custom_audience_id');
  return id;
}

export interface AudienceSummary {
  audienceId: string;
  name: string;
  calculateType?: string;
}

/** List: `{list: [{audience_id, name, …}], page_info: {page, total_page}}`. */
export function readAudiencePage(data: Json): { audiences: AudienceSummary[]; totalPages: number } {
  const audiences = objects(data.list).flatMap((a) => {
    const audienceId = str(a, 'audience_id', 'custom_audience_id');
    const name = str(a, 'name', 'custom_audience_name');
    return audienceId && name !== undefined ? [{ audienceId, name, calculateType: str(a, 'calculate_type') }] : [];
  });
  const pageInfo = isObject(data.page_info) ? data.page_info : {};
  return { audiences, totalPages: num(pageInfo, 'total_page') ?? 1 };
}

/** What `get` tells of one audience; all but the id optional, as TikTok documents none of them. */
export interface AudienceDetail {
  audienceId: string;
  name?: string;
  isValid: boolean;
  isExpired?: boolean;
  /** TikTok's `cover_num`: the audience's size as TikTok counts it. */
  size?: number;
  calculateType?: string;
}

/** Get: `{list: [{detail: {audience_id, is_valid, …}, history}]}`; undefined when the audience is not in it. */
export function readAudienceDetail(data: Json, audienceId: string): AudienceDetail | undefined {
  for (const entry of objects(data.list)) {
    const detail = isObject(entry.detail) ? entry.detail : entry;
    if (str(detail, 'audience_id', 'custom_audience_id') !== audienceId) continue;
    return {
      audienceId,
      name: str(detail, 'name'),
      isValid: bool(detail, 'is_valid') ?? false,
      isExpired: bool(detail, 'is_expired'),
      size: num(detail, 'cover_num'),
      calculateType: str(detail, 'calculate_type'),
    };
  }
  return undefined;
}
