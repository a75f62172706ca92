// Entry of the prep worker threads: the engine is TypeScript run by tsx, so each thread registers it first.
require('tsx/cjs/api').register();
module.exports = require('../chunk/chunk-task.ts').runChunkTask;
