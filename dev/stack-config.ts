import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_PORTS, type Env } from '../common/config';
import { generateKeySpec } from '../common/encryption';
import { generateSealingKeyPair } from '../common/sealed-keys';
import { ROOT, ensureDir } from './services';

// The local stack's fixed layout: ports (overridable), the .stack/ data directory and what lives in it.
// COMPOUND_STACK_DIR moves it (the npm start test runs a second stack beside a developer's).
export const STACK_DIR = process.env.COMPOUND_STACK_DIR || join(ROOT, '.stack');

export function stackPorts(env: Env = process.env) {
  const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
  return {
    temporal: num('COMPOUND_TEMPORAL_PORT', DEFAULT_PORTS.temporal),
    temporalUi: num('COMPOUND_TEMPORAL_UI_PORT', DEFAULT_PORTS.temporalUi),
    sqs: num('COMPOUND_SQS_PORT', DEFAULT_PORTS.sqs),
    emulator: num('COMPOUND_EMULATOR_PORT', DEFAULT_PORTS.emulator),
    codec: num('COMPOUND_CODEC_PORT', DEFAULT_PORTS.codec),
  };
}

export const stackFiles = {
  temporalDb: join(STACK_DIR, 'temporal.db'),
  emulatorState: join(STACK_DIR, 'emulator.json'),
  encryptionKeys: join(STACK_DIR, 'encryption-keys'),
  sealingPublic: join(STACK_DIR, 'sealing-public.pem'),
  sealingPrivate: join(STACK_DIR, 'sealing-private.pem'),
  pidDir: join(STACK_DIR, 'pids'),
  logDir: join(STACK_DIR, 'logs'),
};

/** The local stack's codec key: generated once, readable only by its owner. */
export function ensureStackEncryptionKeys(): string {
  ensureDir(STACK_DIR);
  if (!existsSync(stackFiles.encryptionKeys)) {
    writeFileSync(stackFiles.encryptionKeys, generateKeySpec('local1') + '\n', { mode: 0o600 });
  }
  return stackFiles.encryptionKeys;
}

/** The local stack's sealing key pair: made once; the private half is for the worker only. */
export function ensureStackSealingKeys(): { publicFile: string; privateFile: string } {
  ensureDir(STACK_DIR);
  if (!existsSync(stackFiles.sealingPrivate) || !existsSync(stackFiles.sealingPublic)) {
    const pair = generateSealingKeyPair();
    writeFileSync(stackFiles.sealingPrivate, pair.privatePem, { mode: 0o600 });
    writeFileSync(stackFiles.sealingPublic, pair.publicPem, { mode: 0o644 });
  }
  return { publicFile: stackFiles.sealingPublic, privateFile: stackFiles.sealingPrivate };
}

/** What only the stack's worker gets: the private sealing key (never the codec server or the CLI). */
export function stackWorkerEnv(env: Env = process.env): Record<string, string> {
  if (env.COMPOUND_SEALING_PRIVATE_KEYS || env.COMPOUND_SEALING_PRIVATE_KEYS_FILE) return {};
  return { COMPOUND_SEALING_PRIVATE_KEYS_FILE: ensureStackSealingKeys().privateFile };
}

/** Environment that points the CLI and worker at the local stack (explicit settings win). */
export function stackEnv(env: Env = process.env): Record<string, string> {
  const ports = stackPorts(env);
  const out: Record<string, string> = {
    TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS ?? `127.0.0.1:${ports.temporal}`,
    COMPOUND_SQS_ENDPOINT: env.COMPOUND_SQS_ENDPOINT ?? `http://127.0.0.1:${ports.sqs}`,
    COMPOUND_QUEUE_URL:
      env.COMPOUND_QUEUE_URL ?? `http://127.0.0.1:${ports.sqs}/000000000000/compound-extraction`,
  };
  // The stack makes its own key; a user who already points COMPOUND_ENCRYPTION_KEY_FILE at that file
  // (as `npm start` suggests) before it exists gets it made too, instead of a codec server that fails.
  if (!env.COMPOUND_SEALING_PUBLIC_KEY && !env.COMPOUND_SEALING_PUBLIC_KEY_FILE) {
    out.COMPOUND_SEALING_PUBLIC_KEY_FILE = ensureStackSealingKeys().publicFile;
  }
  const keyFile = env.COMPOUND_ENCRYPTION_KEY_FILE;
  if (
    !env.COMPOUND_ENCRYPTION_KEYS &&
    (!keyFile || resolve(keyFile) === resolve(stackFiles.encryptionKeys))
  ) {
    out.COMPOUND_ENCRYPTION_KEY_FILE = ensureStackEncryptionKeys();
  }
  return out;
}

export interface EmulatorState {
  url: string;
  account: string;
  mode: 'test' | 'live';
  keys: { secret: string; restricted: string; restrictedNoSubscriptions: string };
}

export function readEmulatorState(): EmulatorState {
  return JSON.parse(readFileSync(stackFiles.emulatorState, 'utf8')) as EmulatorState;
}
