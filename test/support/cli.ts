import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { services } from '../services/env';

// Runs the real `compound` binary (bin/compound.js) as a child process, the way a user would.

const BIN = join(__dirname, '..', '..', 'bin', 'compound.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  /** Written to the CLI's stdin, which is then closed. */
  stdin?: string;
  timeoutMs?: number;
}

/** The environment a user of the test services would set (codec key from the global setup). */
export function cliEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const s = services();
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: s.temporalAddress,
    COMPOUND_ENCRYPTION_KEYS: process.env.COMPOUND_ENCRYPTION_KEYS,
    // The public half only, as a user's CLI has it; `compound worker` children get the private half.
    COMPOUND_SEALING_PUBLIC_KEY: process.env.COMPOUND_SEALING_PUBLIC_KEY,
    COMPOUND_SQS_ENDPOINT: s.sqsEndpoint,
    COMPOUND_LOG_LEVEL: 'warn',
    ...extra,
  };
}

export function runCli(args: string[], o: CliOptions = {}): Promise<CliResult> {
  const env = Object.fromEntries(
    Object.entries(o.env ?? cliEnv()).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(o.stdin ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `compound ${args.join(' ')} did not finish in ${o.timeoutMs ?? 60000} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, o.timeoutMs ?? 60000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs and parses stdout as JSON, failing with the CLI's stderr when it did not exit 0. */
export async function runCliJson<T>(args: string[], o: CliOptions = {}): Promise<T> {
  const r = await runCli(args, o);
  if (r.code !== 0)
    throw new Error(`compound ${args.join(' ')} exited ${r.code}\nstderr: ${r.stderr}\nstdout: ${r.stdout}`);
  return JSON.parse(r.stdout) as T;
}
