import type { AudienceUploadStatus } from '../workflows/audience-upload/audience-upload-status';

/** One line per change while following a run: stage, query checks, files, counts. */
export function renderAudienceUploadStatus(s: AudienceUploadStatus): string {
  const parts = [`[${s.stage}]`];
  if (s.source.queryId) parts.push(`query ${s.source.queryId}${s.source.checksMade ? `, checks ${s.source.checksMade}` : ''}`);
  if (s.rows) parts.push(`rows ${s.rows.in} in, ${s.rows.out} out, ${s.rows.rejected} rejected`);
  if (s.plan) parts.push(`plan +${s.plan.add} -${s.plan.remove} in ${s.plan.steps} calls`);
  if (s.files.planned > 0) parts.push(`files ${s.files.uploaded} uploaded, ${s.files.applied} of ${s.files.planned} applied`);
  const ids = [...new Set(Object.values(s.audienceIds))];
  if (ids.length > 0) parts.push(`audience ${ids.join(', ')}`);
  return parts.join('  ');
}
