import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Env } from './config';

// Everything Compound hands to Temporal (Stripe keys in schedule args, memos, signals) is AES-256-GCM
// ciphertext. The key id travels in the payload metadata so old keys still decode after a rotation.
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Short: it is repeated in every payload of every page's history events. */
export const KEY_ID_METADATA = 'key';
/** What earlier versions wrote; still read. */
const LEGACY_KEY_ID_METADATA = 'encryption-key-id';

export interface Keyring {
  /** Key used to encrypt new payloads. */
  activeKeyId: string;
  keys: Map<string, Buffer>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `id:base64key[,id:base64key…]`; the first key encrypts, all of them decrypt. */
export function parseKeyring(spec: string, source: string): Keyring {
  const keys = new Map<string, Buffer>();
  let activeKeyId = '';
  for (const entry of spec
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const sep = entry.indexOf(':');
    if (sep <= 0)
      throw new Error(`${source}: each key must be written "id:base64key" (got an entry without an id)`);
    const id = entry.slice(0, sep);
    const key = Buffer.from(entry.slice(sep + 1), 'base64');
    if (key.length !== 32)
      throw new Error(`${source}: key "${id}" must be 32 bytes, base64-encoded (got ${key.length} bytes)`);
    keys.set(id, key);
    activeKeyId ||= id;
  }
  if (!activeKeyId) throw new Error(`${source} holds no key`);
  return { activeKeyId, keys };
}

export const MISSING_KEY_MESSAGE =
  'No encryption key: set COMPOUND_ENCRYPTION_KEYS ("id:base64-32-bytes") or COMPOUND_ENCRYPTION_KEY_FILE. ' +
  'Compound refuses to talk to Temporal without one, because Stripe keys would be stored in plaintext. ' +
  'Generate one with: compound keys generate';

export function loadKeyring(env: Env = process.env): Keyring {
  if (env.COMPOUND_ENCRYPTION_KEYS)
    return parseKeyring(env.COMPOUND_ENCRYPTION_KEYS, 'COMPOUND_ENCRYPTION_KEYS');
  if (env.COMPOUND_ENCRYPTION_KEY_FILE) {
    let text: string;
    try {
      text = readFileSync(env.COMPOUND_ENCRYPTION_KEY_FILE, 'utf8');
    } catch (err) {
      throw new Error(
        `COMPOUND_ENCRYPTION_KEY_FILE: cannot read ${env.COMPOUND_ENCRYPTION_KEY_FILE}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    return parseKeyring(text, env.COMPOUND_ENCRYPTION_KEY_FILE);
  }
  throw new Error(MISSING_KEY_MESSAGE);
}

export function generateKeySpec(id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

function encrypt(plain: Uint8Array, key: Buffer): Uint8Array {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function decrypt(data: Uint8Array, key: Buffer): Uint8Array {
  const buf = Buffer.from(data);
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
  decipher.setAuthTag(buf.subarray(buf.length - 16));
  return Buffer.concat([decipher.update(buf.subarray(12, buf.length - 16)), decipher.final()]);
}

export function createEncryptionCodec(keyring: Keyring): PayloadCodec {
  const activeKey = keyring.keys.get(keyring.activeKeyId)!;
  return {
    async encode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((payload) => ({
        metadata: {
          [METADATA_ENCODING_KEY]: encoder.encode(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: encoder.encode(keyring.activeKeyId),
        },
        data: encrypt(temporal.api.common.v1.Payload.encode(payload).finish(), activeKey),
      }));
    },
    async decode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((payload) => {
        const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
        // Plain payloads pass through: the Web UI sends signals as plain JSON when no codec server is set.
        if (!encoding || decoder.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
        const keyIdBytes = payload.metadata?.[KEY_ID_METADATA] ?? payload.metadata?.[LEGACY_KEY_ID_METADATA];
        const keyId = keyIdBytes ? decoder.decode(keyIdBytes) : '';
        const key = keyring.keys.get(keyId);
        if (!key) {
          throw new Error(
            `payload was encrypted with key "${keyId}", which is not in this process's keyring; add it to COMPOUND_ENCRYPTION_KEYS`,
          );
        }
        return temporal.api.common.v1.Payload.decode(decrypt(payload.data ?? new Uint8Array(), key));
      });
    },
  };
}
