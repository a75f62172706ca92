import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../../toolchain/paths';

/** The parts of a botocore `service-2.json` the sandbox reads (shapes keep their traits as in the file). */
export interface Shape {
  type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'float' | 'double' | 'boolean' | 'timestamp' | 'blob';
  members?: Record<string, MemberRef>;
  required?: string[];
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  union?: boolean;
  timestampFormat?: 'unixTimestamp' | 'iso8601' | 'rfc822';
  document?: boolean;
  payload?: string;
  exception?: boolean;
  error?: { httpStatusCode?: number; code?: string };
}

export interface MemberRef {
  shape: string;
  location?: 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
  locationName?: string;
}

export interface ModelOperation {
  name: string;
  method: string;
  requestUri: string;
  /** The status of a successful answer (200 unless the model says e.g. 201 or 204). */
  responseCode: number;
  input?: string;
  output?: string;
  /** Modelled errors with their HTTP status (400 when the model states none). */
  errors: { name: string; status: number }[];
}

export interface ServiceModel {
  service: string;
  apiVersion: string;
  shapes: Record<string, Shape>;
  operations: Map<string, ModelOperation>;
}

interface RawModel {
  metadata: { apiVersion: string };
  operations: Record<string, { name: string; http: { method: string; requestUri: string; responseCode?: number }; input?: { shape: string }; output?: { shape: string }; errors?: { shape: string }[] }>;
  shapes: Record<string, Shape>;
}

/** botocore's data directory in the venv where scripts/setup-toolchain.mjs installs it (pinned there, beside moto). */
export function botocoreDataDir(): string {
  if (process.env.BOTOCORE_DATA) return process.env.BOTOCORE_DATA;
  const lib = join(PROJECT_ROOT, '.tools', 'venv', 'lib');
  const python = existsSync(lib) ? readdirSync(lib).find((name) => name.startsWith('python')) : undefined;
  if (!python) throw new Error(`no Python venv under ${lib}: run \`npm run setup\` to install botocore's service models (or set BOTOCORE_DATA)`);
  return join(lib, python, 'site-packages', 'botocore', 'data');
}

const loaded = new Map<string, ServiceModel>();

/** The newest API version of `service` (botocore's directory name, e.g. `entityresolution`), read once. */
export function loadServiceModel(service: string, dataDir = botocoreDataDir()): ServiceModel {
  const key = `${dataDir}\0${service}`;
  const cached = loaded.get(key);
  if (cached) return cached;
  const serviceDir = join(dataDir, service);
  if (!existsSync(serviceDir)) {
    throw new Error(`botocore's service model for ${service} is missing (looked in ${serviceDir}): run \`npm run setup\` to install botocore into .tools/venv`);
  }
  const version = readdirSync(serviceDir).sort().at(-1);
  const file = version && join(serviceDir, version, 'service-2.json.gz');
  if (!file || !existsSync(file)) throw new Error(`botocore's service model for ${service} is missing (no service-2.json.gz under ${serviceDir}): run \`npm run setup\``);
  const raw = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as RawModel;
  const model = toServiceModel(service, raw);
  loaded.set(key, model);
  return model;
}

function toServiceModel(service: string, raw: RawModel): ServiceModel {
  const operations = new Map<string, ModelOperation>();
  for (const [name, op] of Object.entries(raw.operations)) {
    operations.set(name, {
      name,
      method: op.http.method,
      requestUri: op.http.requestUri,
      responseCode: op.http.responseCode ?? 200,
      input: op.input?.shape,
      output: op.output?.shape,
      errors: (op.errors ?? []).map(({ shape }) => ({ name: shape, status: raw.shapes[shape]?.error?.httpStatusCode ?? 400 })),
    });
  }
  return { service, apiVersion: raw.metadata.apiVersion, shapes: raw.shapes, operations };
}

/** The HTTP status the model gives an error shape (400, the protocol's default, when it gives none). */
export function errorStatus(model: ServiceModel, errorShape: string): number {
  return model.shapes[errorShape]?.error?.httpStatusCode ?? 400;
}
