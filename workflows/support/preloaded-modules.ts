// The modules the worker evaluates once and shares across workflow runs: see worker/workflow-bundle-options.ts.
// Re-exported from here because the bundler drops a preload of a package marked side-effect free, as zod is.
import { z } from 'zod';

// Once this has loaded the worker deep-freezes the module state it shares, so what zod sets on its first
// use is set now: its default locale and memoizer (on the first schema) and whether it may compile parsers.
z.config(z.locales.en());
z.object({ warm: z.string() }).safeParse({ warm: '' });

export { z };
