import type { ModelOperation, ServiceModel, Shape } from '../../sandbox/models/service-model';
import type { Input } from './model-inputs';

export interface HttpRequest {
  method: string;
  /** Path and query string. */
  path: string;
  body?: string;
}

/**
 * The REST-JSON request an SDK would send for `input`, each member where the model locates it (path
 * label, query string, body), but with no client-side validation: whatever the input holds is sent.
 */
export function toHttpRequest(model: ServiceModel, op: ModelOperation, input: Input): HttpRequest {
  const shape: Shape = op.input ? model.shapes[op.input]! : { type: 'structure', members: {} };
  const [pathTemplate, fixedQuery] = op.requestUri.split('?');
  const query = new URLSearchParams(fixedQuery);
  const body: Input = {};
  let path = pathTemplate!;
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const value = input[name];
    if (value === undefined) continue;
    const key = ref.locationName ?? name;
    if (ref.location === 'uri') {
      path = path.replace(new RegExp(`\\{${key}\\+?\\}`), encodeURIComponent(value as string));
    } else if (ref.location === 'querystring') {
      for (const item of Array.isArray(value) ? value : [value]) query.append(key, typeof item === 'string' ? item : JSON.stringify(item));
    } else if (ref.location === undefined) body[name] = value;
  }
  const queryText = query.toString();
  const payload = shape.payload ? input[shape.payload] : body;
  const sendsBody = op.method === 'POST' || op.method === 'PUT' || Object.keys(body).length > 0;
  return { method: op.method, path: queryText ? `${path}?${queryText}` : path, body: sendsBody ? JSON.stringify(payload ?? {}) : undefined };
}
