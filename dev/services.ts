import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Connection } from '@temporalio/client';
import { startProcess, stopProcess, waitUntil, type StartedProcess } from './processes';

// Starts the real local services (Temporal dev server, ElasticMQ, the Stripe emulator, stripe-mock).
// Used by `npm run stack` (fixed ports, data under .stack/) and by the integration tests' global setup
// (free ports, a temporary directory).

export const ROOT = resolve(__dirname, '..');
export const TOOLS_BIN = join(ROOT, '.tools', 'bin');
export const SEARCH_ATTRIBUTES = { CompoundInteraction: 'Keyword', CompoundResource: 'Keyword' } as const;
export const EXTRACTION_QUEUES = ['compound-extraction', 'compound-extraction.fifo'];
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

function tool(name: string): string {
  const path = join(TOOLS_BIN, name);
  if (!existsSync(path))
    throw new Error(`${name} is not installed: run \`npm run tools\` (dev/install-tools.sh) first`);
  return path;
}

export interface TemporalOptions {
  port: number;
  uiPort: number;
  dbFile: string;
  logFile: string;
  codecEndpoint?: string;
}

export function startTemporal(o: TemporalOptions): StartedProcess {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--ui-port',
    String(o.uiPort),
  ];
  args.push('--db-filename', o.dbFile, '--log-level', 'warn', '--namespace', 'default');
  // Task-queue fairness: per-account dispatch rates shared by every worker (worker/fairness.ts).
  args.push('--dynamic-config-value', 'matching.enableFairness=true');
  args.push('--dynamic-config-value', 'matching.useNewMatcher=true');
  // One partition per task queue: rate limits are kept per partition, and a dev server needs no more.
  args.push('--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1');
  args.push('--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1');
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES))
    args.push('--search-attribute', `${name}=${type}`);
  // The UI decodes payloads through our codec server when one is given.
  if (o.codecEndpoint) args.push('--ui-codec-endpoint', o.codecEndpoint);
  return startProcess('temporal', tool('temporal'), args, o.logFile);
}

export async function waitForTemporal(address: string, logFile: string, timeoutMs = 60000): Promise<void> {
  await waitUntil(
    `Temporal dev server at ${address}`,
    async () => {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        const res = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
        return Object.keys(SEARCH_ATTRIBUTES).every((name) => name in (res.customAttributes ?? {}));
      } finally {
        await connection.close();
      }
    },
    timeoutMs,
    `see ${logFile}`,
    logFile,
  );
}

export function elasticMqConfig(port: number): string {
  const queues = EXTRACTION_QUEUES.map((q) =>
    q.endsWith('.fifo') ? `  "${q}" { fifo = true, contentBasedDeduplication = false }` : `  "${q}" {}`,
  ).join('\n');
  // relaxed limits: ElasticMQ's strict mode caps messages at 256 KiB; AWS SQS now accepts 1 MiB.
  return `include classpath("application.conf")
node-address { protocol = http, host = "127.0.0.1", port = ${port}, context-path = "" }
rest-sqs { enabled = true, bind-port = ${port}, bind-hostname = "127.0.0.1", sqs-limits = relaxed }
rest-stats { enabled = false }
aws { region = us-east-1, accountId = "000000000000" }
queues {
${queues}
}
`;
}

export function startElasticMq(port: number, dir: string, logFile: string, heap = '512m'): StartedProcess {
  const configFile = join(dir, 'elasticmq.conf');
  writeFileSync(configFile, elasticMqConfig(port));
  const lib = join(ROOT, '.tools', 'elasticmq', 'lib');
  if (!existsSync(lib))
    throw new Error('ElasticMQ is not installed: run `npm run tools` (dev/install-tools.sh) first');
  const args = [`-Dconfig.file=${configFile}`, `-Xmx${heap}`, '-cp', `${lib}/*`, 'org.elasticmq.server.Main'];
  return startProcess('elasticmq', 'java', args, logFile);
}

export function sqsClientFor(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

export async function waitForElasticMq(endpoint: string, logFile: string, timeoutMs = 60000): Promise<void> {
  const sqs = sqsClientFor(endpoint);
  try {
    await waitUntil(
      `ElasticMQ at ${endpoint}`,
      async () => {
        const res = await sqs.send(new ListQueuesCommand({}));
        return EXTRACTION_QUEUES.every((q) => (res.QueueUrls ?? []).some((url) => url.endsWith(`/${q}`)));
      },
      timeoutMs,
      `see ${logFile}`,
      logFile,
    );
  } finally {
    sqs.destroy();
  }
}

export interface EmulatorProcessOptions {
  port: number;
  logFile: string;
  stateFile?: string;
  extraArgs?: string[];
}

export function startEmulatorProcess(o: EmulatorProcessOptions): StartedProcess {
  const args = [
    join(ROOT, 'dev', 'stripe-emulator', 'main.ts'),
    '--host',
    '127.0.0.1',
    '--port',
    String(o.port),
  ];
  if (o.stateFile) args.push('--demo', '--state-file', o.stateFile);
  args.push(...(o.extraArgs ?? []));
  return startProcess('stripe-emulator', TSX, args, o.logFile);
}

export async function waitForHttp(
  what: string,
  url: string,
  logFile: string,
  timeoutMs = 30000,
): Promise<void> {
  await waitUntil(what, async () => (await fetch(url)).status < 500, timeoutMs, `see ${logFile}`, logFile);
}

export function startStripeMock(port: number, httpsPort: number, logFile: string): StartedProcess {
  // Without an explicit HTTPS address stripe-mock also binds :12112, which a second copy cannot.
  const args = ['-http-addr', `127.0.0.1:${port}`, '-https-addr', `127.0.0.1:${httpsPort}`];
  return startProcess('stripe-mock', tool('stripe-mock'), args, logFile);
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function stopAll(processes: StartedProcess[]): Promise<void> {
  await Promise.all(processes.map((p) => stopProcess(p.pid)));
}
