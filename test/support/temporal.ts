import type { SQSClient } from '@aws-sdk/client-sqs';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { loadConfig, type CompoundConfig } from '../../common/config';
import { compoundDataConverter } from '../../common/data-converter';
import { createCompoundWorker } from '../../worker/create-worker';
import { services } from '../services/env';
import { testSqs } from './sqs';

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
  /** Another Temporal server than the test services' (the browser test's own stack). */
  address = services().temporalAddress,
  /** Its poller identity (default: pid@host, the same for every worker of the test process). */
  identity?: string,
): Promise<RunningWorker> {
  quietRuntime();
  const taskQueue = config.taskQueue ?? `test-${Math.random().toString(36).slice(2, 10)}`;
  const connection = await NativeConnection.connect({ address });
  const worker = await createCompoundWorker({
    connection,
    client,
    namespace: 'default',
    config: testConfig({ ...config, taskQueue }),
    workflowBundle: { codePath: process.env.COMPOUND_TEST_WORKFLOW_BUNDLE! },
    ...(identity && { overrides: { identity } }),
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

export interface Harness {
  client: Client;
  sqs: SQSClient;
  worker: RunningWorker;
}

/**
 * The usual integration-test fixture: a client, an SQS client and a running worker, created before the
 * file's tests and torn down after them. Read the fields inside tests (they are set in beforeAll).
 */
export function useHarness(config: Partial<CompoundConfig> = {}): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    h.client = await testClient();
    h.sqs = testSqs();
    h.worker = await startTestWorker(h.client, config);
  });
  afterAll(async () => {
    await h.worker?.stop();
    await h.client?.connection.close();
    h.sqs?.destroy();
  });
  return h;
}
