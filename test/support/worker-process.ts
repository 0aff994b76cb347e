import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../dev/processes';
import { WORKER_NODE_FLAGS } from '../../worker/memory';
import { services } from '../services/env';

const ROOT = join(__dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves when the worker says it polls its task queue. */
  ready: Promise<void>;
  exited: Promise<number | null>;
}

/** `compound worker` as its own OS process, so a test can SIGKILL it like a crashed machine. */
export async function spawnWorker(
  taskQueue: string,
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  const metricsPort = await freePort();
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, join(ROOT, 'bin', 'compound.js'), 'worker'], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: services().temporalAddress,
      COMPOUND_TASK_QUEUE: taskQueue,
      COMPOUND_SQS_ENDPOINT: services().sqsEndpoint,
      COMPOUND_METRICS_PORT: String(metricsPort),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('compound worker started')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`worker exited (${code}) before it was ready:\n${output}`)),
    );
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, ready, exited };
}
