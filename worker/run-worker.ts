import { getHeapStatistics } from 'node:v8';
import { createAwsClients, destroyAwsClients } from './aws-clients';
import { workerConfigFromEnv } from './config';
import { createWorker } from './create-worker';
import { logger } from '../temporal-client/logger';
import { dataConverterFromEnv } from '../temporal-client/connection';
import { connectWorkerConnection } from './connection';
import { installSdkLogger } from './sdk-logger';

/**
 * Runs one worker until SIGINT/SIGTERM (the Temporal runtime turns those into a graceful shutdown:
 * no new tasks, running activities get `shutdownGraceTime` to finish), then releases its clients.
 */
export async function runWorker(env: NodeJS.ProcessEnv = process.env, onPolling?: () => void): Promise<void> {
  const config = workerConfigFromEnv(env);
  installSdkLogger(config.TEMPORAL_SDK_LOG_LEVEL);
  const dataConverter = dataConverterFromEnv(config, env);
  const connection = await connectWorkerConnection(config);
  const clients = createAwsClients(config);
  try {
    const worker = await createWorker({ connection, config, clients, dataConverter });
    logger.info(
      {
        address: config.TEMPORAL_ADDRESS,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        region: config.AWS_REGION,
        maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
        heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
      },
      'worker polling',
    );
    const running = worker.run();
    onPolling?.();
    await running;
    logger.info('worker stopped');
  } finally {
    destroyAwsClients(clients);
    await connection.close();
  }
}
