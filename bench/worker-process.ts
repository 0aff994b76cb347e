import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceAddresses } from '../dev/local-services';
import { freePort } from '../dev/processes';
import { WORKER_NODE_FLAGS } from '../worker/memory';

/** `compound worker` in its own process, so its peak RSS (VmHWM) is the worker's alone. */
export async function spawnBenchWorker(services: ServiceAddresses, taskQueue: string) {
  const child = spawn(
    process.execPath,
    [
      ...WORKER_NODE_FLAGS,
      ...profileFlags(),
      ...extraNodeFlags(),
      join(__dirname, '..', 'bin', 'compound.js'),
      'worker',
    ],
    {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: services.temporalAddress,
        COMPOUND_TASK_QUEUE: taskQueue,
        COMPOUND_SQS_ENDPOINT: services.sqsEndpoint,
        COMPOUND_METRICS_PORT: String(await freePort()),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (process.env.COMPOUND_BENCH_LOG_DIR)
        appendFileSync(join(process.env.COMPOUND_BENCH_LOG_DIR, `worker-${child.pid}.log`), chunk);
      if (output.includes('compound worker started')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`bench worker exited (${code}):\n${output}`)));
  });
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      // A worker that dies mid-scenario would leave the bench waiting for runs nobody works on.
      if (!stopping) {
        console.error(`bench worker ${child.pid} exited (${code}) during the scenario: the benchmark stops`);
        process.exit(1);
      }
      resolve();
    }),
  );
  return {
    /** For the CPU meter (bench/process-cpu.ts). */
    pid: child.pid!,
    peakRssMb(): number {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb / 1024;
    },
    async stop() {
      stopping = true;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `COMPOUND_BENCH_PROFILE_DIR=dir npm run bench …` writes each worker's CPU profile there (`node --cpu-prof`). */
function profileFlags(): string[] {
  const dir = process.env.COMPOUND_BENCH_PROFILE_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** `COMPOUND_BENCH_NODE_FLAGS="--trace-gc …"` adds V8/Node flags to each worker (A/B runs of runtime settings). */
function extraNodeFlags(): string[] {
  return (process.env.COMPOUND_BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
}
