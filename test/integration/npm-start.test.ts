import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { compoundDataConverter } from '../../common/data-converter';
import { freePorts, isAlive } from '../../dev/processes';

// The README's first command, as a new user runs it: `npm start` brings everything up, registers and
// syncs the three demo interactions; Ctrl-C stops what it started; a second start reuses the data.
// It runs its own stack (own ports, own data directory) beside the test services.

const ROOT = join(__dirname, '..', '..');
let stackDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  stackDir = mkdtempSync(join(tmpdir(), 'compound-start-'));
  const ports = await freePorts(6);
  env = { ...process.env };
  delete env.COMPOUND_ENCRYPTION_KEYS; // the stack makes its own key file
  Object.assign(env, {
    COMPOUND_STACK_DIR: stackDir,
    COMPOUND_TEMPORAL_PORT: String(ports[0]),
    COMPOUND_TEMPORAL_UI_PORT: String(ports[1]),
    COMPOUND_SQS_PORT: String(ports[2]),
    COMPOUND_EMULATOR_PORT: String(ports[3]),
    COMPOUND_CODEC_PORT: String(ports[4]),
    COMPOUND_METRICS_PORT: String(ports[5]),
  });
});

afterAll(() => {
  rmSync(stackDir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function npmStart(): Started {
  // Its own process group, so SIGINT reaches npm and everything under it, like Ctrl-C in a terminal.
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForOutput(s: Started, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!s.output().includes(text)) {
    if (s.child.exitCode !== null)
      throw new Error(`npm start exited (${s.child.exitCode}) before "${text}":\n${s.output()}`);
    if (Date.now() > deadline)
      throw new Error(`npm start did not print "${text}" in ${timeoutMs / 1000} s:\n${s.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const stackPids = () =>
  readdirSync(join(stackDir, 'pids')).map((f) => Number(readFileSync(join(stackDir, 'pids', f), 'utf8')));

async function ctrlC(s: Started): Promise<void> {
  const pids = stackPids();
  expect(pids.length).toBe(4);
  process.kill(-s.child.pid!, 'SIGINT');
  await s.exited;
  for (const pid of pids) expect(isAlive(pid)).toBe(false);
}

async function demoSchedules(): Promise<string[]> {
  const connection = await Connection.connect({ address: `127.0.0.1:${env.COMPOUND_TEMPORAL_PORT}` });
  const client = new Client({
    connection,
    dataConverter: compoundDataConverter({ COMPOUND_ENCRYPTION_KEY_FILE: join(stackDir, 'encryption-keys') }),
  });
  const ids: string[] = [];
  for await (const s of client.schedule.list()) ids.push(s.scheduleId);
  await connection.close();
  return ids.sort();
}

it('reaches "all three interactions synced", stops on Ctrl-C, and a second start reuses the data', async () => {
  const first = npmStart();
  await waitForOutput(first, 'all three interactions synced', 240000);
  expect(first.output()).toMatch(/Demo charges: registered as demo-charges \(hourly\)/);
  expect(first.output()).toMatch(/demo-subscriptions\s+\d+ objects/);
  expect(first.output()).toContain('Send a Signal');
  // The generated codec key is readable by its owner only, and never printed.
  const keyFile = join(stackDir, 'encryption-keys');
  expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  expect(first.output()).not.toContain(readFileSync(keyFile, 'utf8').split(':')[1].trim());
  await ctrlC(first);
  expect(existsSync(join(stackDir, 'temporal.db'))).toBe(true);

  const second = npmStart();
  await waitForOutput(second, 'all three interactions synced', 240000);
  expect(second.output().match(/already registered/g)).toHaveLength(3);
  expect(await demoSchedules()).toEqual([
    'interaction-demo-charges',
    'interaction-demo-products',
    'interaction-demo-subscriptions',
  ]);
  await ctrlC(second);
}, 600000);
