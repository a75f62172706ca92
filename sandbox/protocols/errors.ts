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

export const notFound = (message: string, fields?: Record<string, unknown>) => new SandboxError(404, 'ResourceNotFoundException', message, fields);
export const validation = (message: string) => new SandboxError(400, 'ValidationException', message);
export const conflict = (message: string) => new SandboxError(409, 'ConflictException', message);
export const throttled = () => new SandboxError(429, 'ThrottlingException', 'Rate exceeded (injected by the sandbox)');
export const internal = () => new SandboxError(500, 'InternalServerException', 'Internal failure (injected by the sandbox)');
