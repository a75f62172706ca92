import { SandboxError } from '../protocols/errors';
import type { RestJsonRoute } from '../protocols/rest-json';
import { errorStatus, loadServiceModel, type ModelOperation, type ServiceModel } from './service-model';
import { validateInput, validationMessage } from './validate-input';
import { validateOutput } from './validate-output';

/** `/x/{name+}?y` and `/x/{name}` name the same route. */
const routePath = (requestUri: string) => requestUri.split('?')[0]!.replace(/\{(\w+)\+\}/g, '{$1}');

/**
 * The service's routes held to their operations' models: an input the model does not allow is refused
 * with its ValidationException before the handler runs; a handler's error goes out at the status the
 * model gives it, and a success at the model's response code; an error the operation does not list, or a response that breaks the output shape, is
 * a fault of the sandbox (a logged 500), never sent as if AWS had said it. A route whose operation,
 * method or path the model does not state fails here, at sandbox start.
 */
export function withModelValidation(service: string, routes: RestJsonRoute[], model: ServiceModel = loadServiceModel(service)): RestJsonRoute[] {
  const status = errorStatus(model, 'ValidationException');
  return routes.map((route) => {
    const op = model.operations.get(route.operation);
    if (!op) throw new Error(`${service} route ${route.operation} is not an operation of its service model (${model.apiVersion})`);
    if (op.method !== route.method || routePath(op.requestUri) !== route.path) {
      throw new Error(`${service} route ${route.operation} is ${route.method} ${route.path}; its service model says ${op.method} ${op.requestUri}`);
    }
    return {
      ...route,
      responseCode: op.responseCode,
      handle: async (req) => {
        const violations = validateInput(model, route.operation, req);
        if (violations.length > 0) throw new SandboxError(status, 'ValidationException', validationMessage(violations));
        let result: unknown;
        try {
          result = await route.handle(req);
        } catch (err) {
          throw err instanceof SandboxError ? asModelledError(service, op, err) : err;
        }
        const broken = validateOutput(model, route.operation, result ?? {});
        if (broken.length > 0) throw new Error(`${service} ${route.operation} answered outside its output shape: ${validationMessage(broken)}`);
        return result;
      },
    };
  });
}

function asModelledError(service: string, op: ModelOperation, err: SandboxError): SandboxError {
  const modelled = op.errors.find(({ name }) => name === err.type);
  if (!modelled) throw new Error(`${service} ${op.name} answered ${err.type}, which its service model does not list for it`);
  return modelled.status === err.status ? err : new SandboxError(modelled.status, err.type, err.message, err.fields);
}
