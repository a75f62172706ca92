export type TiktokCodeClass = 'ok' | 'throttled' | 'token' | 'permission' | 'file' | 'server' | 'request';

/*
 * TikTok's return codes come inside HTTP 200. Its "Appendix - Return Codes" page is the authority; the
 * codes below are the ones public pages name (40001, 40002, 40100, 40105, 409xx); the ranges put a code
 * not listed in the class of its neighbours, and anything else is a refusal that shows code and request id.
 */
const KNOWN: Record<number, TiktokCodeClass> = { 0: 'ok', 40001: 'permission', 40002: 'request', 40100: 'throttled' };

export function classifyTiktokCode(code: number): TiktokCodeClass {
  const known = KNOWN[code];
  if (known) return known;
  if (code >= 40101 && code <= 40199) return 'token';
  if (code >= 40900 && code <= 40999) return 'file';
  if (code >= 50000 && code <= 59999) return 'server';
  return 'request';
}
