import { createAwsClients, destroyAwsClients } from './aws-clients';
import { workerConfigFromEnv } from './config';
import { createWorker } from './create-worker';
import { logger } from './logger';
import { connectWorkerConnection, dataConverterFromEnv } from './temporal-connection';

/**
 * Runs one worker until SIGINT/SIGTERM (the Temporal runtime turns those into a graceful shutdown:
 * no new tasks, running activities get `shutdownGraceTime` to finish), then releases its clients.
 */
export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = workerConfigFromEnv(env);
  const dataConverter = dataConverterFromEnv(config, env);
  const connection = await connectWorkerConnection(config);
  const clients = createAwsClients(config);
  try {
    const worker = await createWorker({ connection, config, clients, dataConverter });
    logger.info(
      { address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, region: config.AWS_REGION },
      'worker polling',
    );
    await worker.run();
    logger.info('worker stopped');
  } finally {
    destroyAwsClients(clients);
    await connection.close();
  }
}
