import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { emulatorAdmin } from './admin-client';
import { startEmulator } from './index';

// Throughput of the emulator's hot path: N keep-alive clients page through /v1/charges with
// limit=100 (following starting_after like a sync does) for a few seconds, rate limits and latency
// off. The emulator runs in a child process by default so it gets its own core, as in the stack.
//   npx tsx dev/stripe-emulator/perf.ts [--clients 8] [--seconds 5] [--charges 50000] [--in-process]

interface PerfOptions {
  clients: number;
  seconds: number;
  limit: number;
  charges: number;
  inProcess?: boolean;
  url?: string;
}

const program = new Command()
  .option('--clients <n>', 'concurrent keep-alive clients', Number, 8)
  .option('--seconds <n>', 'duration of the measurement', Number, 5)
  .option('--limit <n>', 'objects per page', Number, 100)
  .option('--charges <n>', 'charges in the account', Number, 50000)
  .option('--in-process', 'run the emulator in this process instead of a child')
  .option('--url <url>', 'measure an emulator that is already running (started with --no-rate-limits)');

async function startChild(): Promise<{ url: string; child: ChildProcess }> {
  const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, [join(__dirname, 'main.ts'), '--port', '0', '--no-rate-limits'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return { url, child };
}

/**
 * GET returning the status and only the last 8 KB of the body (enough to find the last object's
 * id): the load generator shares the machine with the emulator and must stay cheap.
 */
function get(agent: Agent, url: URL, key: string): Promise<{ status: number; tail: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { Authorization: `Bearer ${key}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let size = 0;
        let i = chunks.length;
        while (i > 0 && size < 8192) size += chunks[--i].length;
        resolve({ status: res.statusCode ?? 0, tail: Buffer.concat(chunks.slice(i)).toString('latin1') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const o = program.parse().opts<PerfOptions>();
  const inProc =
    o.inProcess && !o.url ? await startEmulator({ port: 0, rateLimits: { enabled: false } }) : null;
  const child = inProc || o.url ? null : await startChild();
  const url = o.url ?? inProc?.url ?? (child as { url: string }).url;
  try {
    const admin = emulatorAdmin(url);
    const acct = await admin.createAccount({
      mode: 'live',
      seed: 42,
      counts: { charges: o.charges, products: 0, subscriptions: 0 },
    });
    const agent = new Agent({ keepAlive: true, maxSockets: o.clients });
    const latencies: number[] = [];
    let requests = 0;
    let objects = 0;
    let failures = 0;
    const end = performance.now() + o.seconds * 1000;

    // each client pages from the newest charge to the oldest, then starts over
    const client = async (): Promise<void> => {
      let cursor: string | null = null;
      while (performance.now() < end) {
        const u = new URL(`${url}/v1/charges`);
        u.searchParams.set('limit', String(o.limit));
        if (cursor) u.searchParams.set('starting_after', cursor);
        const t0 = performance.now();
        const res = await get(agent, u, acct.keys.secret);
        latencies.push(performance.now() - t0);
        requests++;
        if (res.status !== 200) {
          failures++;
          cursor = null;
          continue;
        }
        // the last object's id without parsing the whole page: the client must not be the bottleneck
        const at = res.tail.lastIndexOf('{"id":"ch_');
        const more = res.tail.endsWith('"has_more":true,"url":"/v1/charges"}');
        cursor = more && at >= 0 ? res.tail.slice(at + 7, res.tail.indexOf('"', at + 7)) : null;
        objects += o.limit;
      }
    };
    const before = await admin.stats();
    const started = performance.now();
    await Promise.all(Array.from({ length: o.clients }, client));
    const seconds = (performance.now() - started) / 1000;
    const after = await admin.stats();
    agent.destroy();
    // the emulator's own CPU per request bounds what it could serve with a core to itself,
    // whatever else (this load generator included) competes for the machine
    const cpuMs = after.cpuUserMs + after.cpuSystemMs - before.cpuUserMs - before.cpuSystemMs;
    const cpuPerRequest = cpuMs / requests;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(2);
    console.log(
      `${(requests / seconds).toFixed(0)} req/s, ${(objects / seconds).toFixed(0)} objects/s ` +
        `(${o.clients} clients, limit=${o.limit}, ${o.charges} charges, ${seconds.toFixed(1)} s, ` +
        `${o.url ? o.url : inProc ? 'in-process' : 'child process'}; latency p50 ${pct(50)} ms, p99 ${pct(99)} ms; ` +
        `${failures} non-200)\n` +
        `emulator CPU ${cpuPerRequest.toFixed(3)} ms/request => ${(1000 / cpuPerRequest).toFixed(0)} req/s per fully used core; ` +
        `load average now ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
    );
  } finally {
    await inProc?.close();
    child?.child.kill('SIGTERM');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
