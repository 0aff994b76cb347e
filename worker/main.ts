import { Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { loadConfig, type Env } from '../common/config';
import { compoundDataConverter } from '../common/data-converter';
import { definedOnly } from '../common/temporal-connection';
import { msToNumber } from '@temporalio/common/lib/time';
import { createCompoundWorker, SHUTDOWN_FORCE } from './create-worker';
import { watchLiveness } from './liveness';
import { createPageMetrics } from './metrics';
import { logger } from '../common/logger';
import { loadSealingPrivateKeys, MISSING_SEALING_PRIVATE_KEY } from '../common/sealed-keys';

/**
 * The worker process: connects the standard way (@temporalio/envconfig), exports Prometheus metrics,
 * runs until SIGINT/SIGTERM, then lets in-flight pages finish (the SDK's graceful shutdown) before exiting.
 */
export async function runWorker(env: Env = process.env): Promise<void> {
  const config = loadConfig(env);
  const dataConverter = compoundDataConverter(env); // refuses to start without an encryption key
  if (loadSealingPrivateKeys(env).length === 0) throw new Error(MISSING_SEALING_PRIVATE_KEY);
  Runtime.install({
    logger: undefined,
    telemetryOptions: { metrics: { prometheus: { bindAddress: `0.0.0.0:${config.metricsPort}` } } },
  });
  const { connectionOptions, namespace = 'default' } = loadClientConnectConfig({
    profile: env.TEMPORAL_PROFILE,
    overrideEnvVars: definedOnly(env),
  });
  const connection = await NativeConnection.connect(connectionOptions);
  const clientConnection = await Connection.connect(connectionOptions);
  const client = new Client({ connection: clientConnection, namespace, dataConverter });
  const worker = await createCompoundWorker({
    connection,
    client,
    namespace,
    config,
    metrics: createPageMetrics(Runtime.instance().metricMeter),
  });
  logger.info(
    {
      taskQueue: config.taskQueue,
      namespace,
      buildId: worker.options.workerDeploymentOptions?.version.buildId,
      metrics: `http://127.0.0.1:${config.metricsPort}/metrics`,
    },
    'compound worker started',
  );
  watchLiveness(worker, {
    shutdownMs: msToNumber(SHUTDOWN_FORCE) + 15_000,
    onStuck: (reason) => {
      logger.error({ reason }, 'worker is not polling; exiting so its supervisor restarts it');
      process.exit(1);
    },
  });
  // Worker.run() installs SIGINT/SIGTERM handlers that start a graceful shutdown.
  await worker.run();
  await clientConnection.close();
  await connection.close();
  logger.info('compound worker stopped');
}

if (require.main === module) {
  runWorker().catch((err: Error) => {
    logger.error({ err: err.message }, 'worker failed');
    process.exit(1);
  });
}
