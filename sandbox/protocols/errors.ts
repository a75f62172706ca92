/** An error a service answers with, in its own protocol's shape (see protocols/). */
export class SandboxError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    /** Extra members of the error shape, e.g. Data Exchange's ResourceId / ResourceType. */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

// The statuses below are what the error is sent with outside a modelled operation; an Entity Resolution
// or Data Exchange operation sends it at the status its service model gives (models/model-validation.ts).
export const notFound = (message: string, fields?: Record<string, unknown>) => new SandboxError(404, 'ResourceNotFoundException', message, fields);
export const validation = (message: string) => new SandboxError(400, 'ValidationException', message);
/** ConflictException: 400 in Entity Resolution's model, 409 in Data Exchange's. */
export const conflict = (message: string) => new SandboxError(400, 'ConflictException', message);
export const throttled = () => new SandboxError(429, 'ThrottlingException', 'Rate exceeded (injected by the sandbox)');
export const internal = () => new SandboxError(500, 'InternalServerException', 'Internal failure (injected by the sandbox)');

/** No operation of the service has this method and path: smithy's restJson1 routing error (404 UnknownOperationException). */
export const unknownOperation = (method: string, path: string) => new SandboxError(404, 'UnknownOperationException', `No operation matches ${method} ${path}`);
/** A request body the sandbox will not read; HTTP's 413, which the SDKs do not retry. */
export const bodyTooLarge = (limit: number) =>
  new SandboxError(413, 'RequestEntityTooLargeException', `Request body is larger than ${limit / (1024 * 1024)} MiB`);
/** What the client sees of a failure inside the sandbox: the modelled server error, nothing of its cause. */
export const internalFailure = (requestId: string) =>
  new SandboxError(500, 'InternalServerException', `Internal failure of the sandbox (request ${requestId}); see its log`);
