/** One request a fake TikTok fetch saw: URL, method, headers, and its JSON body or form. */
export interface TiktokCall {
  url: URL;
  method: string;
  headers: Record<string, string>;
  json?: Record<string, unknown>;
  form?: FormData;
}

export type TiktokAnswer = { status?: number; body?: unknown; headers?: Record<string, string> } | 'network-error';

/** A fetch answering TikTok calls from `route`, recording every request; 'network-error' throws as fetch does when no answer comes. */
export function fakeTiktokFetch(route: (call: TiktokCall, index: number) => TiktokAnswer) {
  const calls: TiktokCall[] = [];
  const fn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = init?.body;
    const call: TiktokCall = {
      url: new URL(input instanceof Request ? input.url : input.toString()),
      method: init?.method ?? 'GET',
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      ...(typeof body === 'string' ? { json: JSON.parse(body) as Record<string, unknown> } : {}),
      ...(body instanceof FormData ? { form: body } : {}),
    };
    calls.push(call);
    const answer = route(call, calls.length - 1);
    if (answer === 'network-error') throw new TypeError('fetch failed');
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status ?? 200, headers: answer.headers });
  };
  return { fetch: fn, calls };
}

/** TikTok's envelope: `{code, message, request_id, data}` in an HTTP 200. */
export const envelope = (data: unknown, code = 0, message = 'OK', requestId = '20261207000000ABCDEF') => ({ body: { code, message, request_id: requestId, data } });
