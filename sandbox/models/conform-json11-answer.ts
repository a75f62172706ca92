import { loadServiceModel, type ServiceModel } from './service-model';
import { validationMessage } from './validate-input';
import { validateOutput } from './validate-output';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value with what the shape does not have removed: members it does not name and nulls (AWS omits an absent member). */
function pruneToShape(model: ServiceModel, shapeName: string, value: unknown): unknown {
  const shape = model.shapes[shapeName];
  if (!shape || shape.document) return value;
  if (shape.type === 'structure' && isObject(value)) {
    const members = shape.members ?? {};
    return Object.fromEntries(
      Object.entries(value)
        .filter(([name, item]) => name in members && item !== null && item !== undefined)
        .map(([name, item]) => [name, pruneToShape(model, members[name]!.shape, item)]),
    );
  }
  if (shape.type === 'list' && Array.isArray(value)) return value.filter((item) => item !== null).map((item) => pruneToShape(model, shape.member!.shape, item));
  if (shape.type === 'map' && isObject(value)) {
    return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== null).map(([key, item]) => [key, pruneToShape(model, shape.value!.shape, item)]));
  }
  return value;
}

/**
 * A success answer of the emulator behind the sandbox (moto, for Glue and Secrets Manager) as AWS
 * would send it: members the output shape does not have and nulls dropped. What is still outside the
 * shape then (a required member missing, a wrong type) is a fault of the sandbox, thrown, never sent.
 */
export function conformJson11Output(service: string, operation: string, body: unknown): unknown {
  const model = loadServiceModel(service);
  const op = model.operations.get(operation);
  if (!op?.output) return body;
  const answer = pruneToShape(model, op.output, body);
  const broken = validateOutput(model, operation, answer);
  if (broken.length > 0) throw new Error(`${service} ${operation} (answered by the emulator) is outside its output shape: ${validationMessage(broken)}`);
  return answer;
}

/**
 * An error answer of the emulator with its message under the member the model's error shape names
 * (Glue's and Secrets Manager's error shapes say `Message`; moto writes `message`). An error the
 * model does not have (the frontend's ValidationException) keeps the protocol's `message`.
 */
export function conformJson11Error(service: string, body: Json): Json {
  const type = typeof body.__type === 'string' ? body.__type.split('#').pop()! : undefined;
  const members = type ? loadServiceModel(service).shapes[type]?.members : undefined;
  if (!members || 'message' in members || !('Message' in members) || !('message' in body)) return body;
  const { message, ...rest } = body;
  return { ...rest, Message: message };
}
