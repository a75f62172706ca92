import { SandboxError } from '../protocols/errors';
import type { RestJsonRoute } from '../protocols/rest-json';
import { errorStatus, loadServiceModel, type ServiceModel } from './service-model';
import { validateInput, validationMessage } from './validate-input';

/** `/x/{name+}?y` and `/x/{name}` name the same route. */
const routePath = (requestUri: string) => requestUri.split('?')[0]!.replace(/\{(\w+)\+\}/g, '{$1}');

/**
 * The service's routes, each refusing an input its operation's model does not allow with the model's
 * ValidationException before the handler runs. A route whose operation, method or path the model does
 * not state fails here, at sandbox start.
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
      handle: (req) => {
        const violations = validateInput(model, route.operation, req);
        if (violations.length > 0) throw new SandboxError(status, 'ValidationException', validationMessage(violations));
        return route.handle(req);
      },
    };
  });
}
