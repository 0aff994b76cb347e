import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { loadConfig, type CompoundConfig } from '../../common/config';
import { compoundDataConverter } from '../../common/data-converter';
import { createCompoundWorker } from '../../worker/create-worker';
import { services } from '../services/env';

/** A client on the test server with Compound's codec (the key comes from the global setup). */
export async function testClient(): Promise<Client> {
  const connection = await Connection.connect({ address: services().temporalAddress });
  return new Client({ connection, namespace: 'default', dataConverter: compoundDataConverter() });
}

/** Config as a worker would load it, pointed at the test services. */
export function testConfig(overrides: Partial<CompoundConfig> = {}): CompoundConfig {
  return { ...loadConfig({ ...process.env, COMPOUND_SQS_ENDPOINT: services().sqsEndpoint }), ...overrides };
}

export interface RunningWorker {
  worker: Worker;
  taskQueue: string;
  stop(): Promise<void>;
}

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed by an earlier worker in this process.
  }
}

/** A real Worker on its own task queue, running in the background until stop(). */
export async function startTestWorker(
  client: Client,
  config: Partial<CompoundConfig> = {},
): Promise<RunningWorker> {
  quietRuntime();
  const taskQueue = config.taskQueue ?? `test-${Math.random().toString(36).slice(2, 10)}`;
  const connection = await NativeConnection.connect({ address: services().temporalAddress });
  const worker = await createCompoundWorker({
    connection,
    client,
    namespace: 'default',
    config: testConfig({ ...config, taskQueue }),
    workflowBundle: { codePath: process.env.COMPOUND_TEST_WORKFLOW_BUNDLE! },
  });
  const running = worker.run();
  return {
    worker,
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
