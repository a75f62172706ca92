import type { ServiceModel } from './service-model';
import { validateShape, type Violation } from './validate-input';

/**
 * Violations of an operation's response body against its output shape: required members, types,
 * lengths, patterns, ranges, enums, timestamps as the protocol writes them, and no member the shape
 * does not have. Members the protocol carries in headers are not in the body and not checked here.
 */
export function validateOutput(model: ServiceModel, operation: string, body: unknown): Violation[] {
  const op = model.operations.get(operation);
  if (!op) throw new Error(`${model.service} has no operation ${operation} in its service model`);
  const out: Violation[] = [];
  if (!op.output) {
    if (body !== undefined && (typeof body !== 'object' || body === null || Object.keys(body).length > 0)) out.push({ path: 'body', constraint: 'Operation has no output' });
    return out;
  }
  const shape = model.shapes[op.output]!;
  const payload = shape.payload ? shape.members![shape.payload]! : undefined;
  if (payload) validateShape(model, payload.shape, body, shape.payload!, out, 'output');
  else validateShape(model, op.output, body ?? {}, '', out, 'output');
  return out;
}
