import type { Client } from '@temporalio/client';
import { temporalConfigFromEnv, type TemporalConfig } from '../../temporal-client/config';
import { connectClient, dataConverterFromEnv } from '../../temporal-client/connection';

export interface StarterContext {
  config: TemporalConfig;
  client: Client;
  close(): Promise<void>;
}

/** A Temporal client with the payload codec, from the same environment variables as the worker. */
export async function starterContext(env: NodeJS.ProcessEnv = process.env): Promise<StarterContext> {
  const config = temporalConfigFromEnv(env);
  const client = await connectClient(config, dataConverterFromEnv(config, env));
  return { config, client, close: () => client.connection.close() };
}

/** Runs `fn` with a starter context, closing its connection however `fn` ends. */
export async function withStarterContext(fn: (ctx: StarterContext) => Promise<void>): Promise<void> {
  const ctx = await starterContext();
  try {
    await fn(ctx);
  } finally {
    await ctx.close();
  }
}
