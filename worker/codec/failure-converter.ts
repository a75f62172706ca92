import { DefaultFailureConverter } from '@temporalio/common';

// Loaded by path (DataConverter.failureConverterPath) by the Worker, clients and the workflow bundle,
// so this module must stay free of Node builtins: it runs inside the workflow sandbox.
// encodeCommonAttributes moves messages and stack traces into a payload, which the codec then encrypts.
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
