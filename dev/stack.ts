import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, stopProcess, type StartedProcess } from './processes';
import {
  ensureDir,
  startElasticMq,
  startEmulatorProcess,
  startTemporal,
  waitForElasticMq,
  waitForHttp,
  waitForTemporal,
} from './services';
import { STACK_DIR, stackFiles, stackPorts } from './stack-config';
import { ensureStackCodecToken, stackCodecEndpoint, startCodecServerProcess } from './stack-codec';

// `npm run stack` / `npm run stack:stop`: the local services in the background, tracked by pid files,
// data kept under .stack/ between runs.

export type ServiceName = 'temporal' | 'elasticmq' | 'stripe-emulator' | 'codec-server';
const SERVICES: ServiceName[] = ['temporal', 'elasticmq', 'stripe-emulator', 'codec-server'];

const pidFile = (name: ServiceName) => join(stackFiles.pidDir, `${name}.pid`);
const logFile = (name: ServiceName) => join(stackFiles.logDir, `${name}.log`);

function runningPid(name: ServiceName): number | undefined {
  if (!existsSync(pidFile(name))) return undefined;
  const pid = Number(readFileSync(pidFile(name), 'utf8'));
  return pid && isAlive(pid) ? pid : undefined;
}

/** Starts what is not running yet and returns the names of the services it started. */
export async function startStack(): Promise<ServiceName[]> {
  ensureDir(stackFiles.pidDir);
  ensureDir(stackFiles.logDir);
  const ports = stackPorts();
  const codecUrl = `http://127.0.0.1:${ports.codec}`;
  const started: ServiceName[] = [];
  // Starts a service unless it already runs, and remembers the ones it started.
  const launch = (name: ServiceName, start: () => StartedProcess) => {
    if (runningPid(name)) return;
    writeFileSync(pidFile(name), String(start().pid));
    started.push(name);
  };
  launch('temporal', () =>
    startTemporal({
      port: ports.temporal,
      uiPort: ports.temporalUi,
      dbFile: stackFiles.temporalDb,
      logFile: logFile('temporal'),
      // The token rides in the endpoint's path: the UI sends no header of its own.
      codecEndpoint: stackCodecEndpoint(ports.codec),
    }),
  );
  launch('elasticmq', () => startElasticMq(ports.sqs, STACK_DIR, logFile('elasticmq')));
  launch('stripe-emulator', () =>
    startEmulatorProcess({
      port: ports.emulator,
      logFile: logFile('stripe-emulator'),
      stateFile: stackFiles.emulatorState,
    }),
  );
  launch('codec-server', () => startCodecServerProcess(ports.codec, logFile('codec-server')));
  await Promise.all([
    waitForTemporal(`127.0.0.1:${ports.temporal}`, logFile('temporal'), 90000),
    waitForElasticMq(`http://127.0.0.1:${ports.sqs}`, logFile('elasticmq'), 90000),
    waitForHttp(
      'Stripe emulator',
      `http://127.0.0.1:${ports.emulator}/_emulator/health`,
      logFile('stripe-emulator'),
    ),
    waitForHttp('codec server', `${codecUrl}/health`, logFile('codec-server')),
  ]);
  console.log(`Local stack is up (data in ${STACK_DIR}):
  Temporal         127.0.0.1:${ports.temporal}
  Temporal Web UI  http://127.0.0.1:${ports.temporalUi}
  SQS (ElasticMQ)  http://127.0.0.1:${ports.sqs}  queues: compound-extraction, compound-extraction.fifo
  Stripe emulator  http://127.0.0.1:${ports.emulator}  demo account and keys: ${stackFiles.emulatorState}
  Codec server     ${codecUrl}  every call needs the token in ${ensureStackCodecToken().file} (the Web UI has it)
Stop it with: npm run stack:stop`);
  return started;
}

/** Stops the given services (default: all), leaving their data in place. */
export async function stopStack(only: ServiceName[] = SERVICES): Promise<void> {
  for (const name of [...SERVICES].reverse().filter((n) => only.includes(n))) {
    const pid = runningPid(name);
    if (pid) {
      await stopProcess(pid);
      console.log(`stopped ${name} (pid ${pid})`);
    }
    rmSync(pidFile(name), { force: true });
  }
}

async function main(): Promise<void> {
  const command = process.argv[2];
  if (command === 'start') await startStack().then(() => undefined);
  else if (command === 'stop') await stopStack();
  else if (command === 'status') {
    for (const name of SERVICES)
      console.log(`${name.padEnd(16)} ${runningPid(name) ? `running (pid ${runningPid(name)})` : 'stopped'}`);
  } else {
    console.error('usage: tsx dev/stack.ts start|stop|status');
    process.exitCode = 2;
  }
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`stack: ${err.message}`);
    process.exitCode = 1;
  });
}
