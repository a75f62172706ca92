import { SandboxError } from '../protocols/errors';
import { errorStatus, loadServiceModel } from './service-model';
import { validateShape, validationMessage, type Violation } from './validate-input';

/** The services name members in lowerCamelCase in their messages (`tableInput.storageDescriptor.columns.1.member.name`). */
const servicePath = (path: string): string =>
  path
    .split('.')
    .map((segment) => segment.charAt(0).toLowerCase() + segment.slice(1))
    .join('.') || 'input';

/**
 * What AWS's frontend answers a JSON 1.1 request (Glue, Secrets Manager) whose body breaks its
 * operation's input shape: ValidationException naming each member, or SerializationException when
 * the body is not JSON. Undefined when the input is allowed or the model does not know the operation
 * (the emulator answers that one).
 */
export function json11InputError(service: string, operation: string, body: Buffer): SandboxError | undefined {
  const model = loadServiceModel(service);
  const inputShape = model.operations.get(operation)?.input;
  if (!inputShape) return undefined;
  let input: unknown;
  try {
    const text = body.toString('utf8');
    input = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return new SandboxError(400, 'SerializationException', 'The request body is not valid JSON');
  }
  const violations: Violation[] = [];
  validateShape(model, inputShape, input, '', violations);
  if (violations.length === 0) return undefined;
  const named = violations.map((v) => ({ ...v, path: servicePath(v.path) }));
  return new SandboxError(errorStatus(model, 'ValidationException'), 'ValidationException', validationMessage(named));
}
