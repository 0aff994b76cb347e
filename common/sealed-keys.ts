import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Env } from './config';
import { SEALED_KEY_PATTERN } from './interaction';

// A customer's Stripe key is sealed before it is stored in Temporal: encrypted with a public key,
// so the CLI (which registers interactions) can seal but not open, and only a worker, which holds the
// private key, can turn it back into plaintext. The codec server decrypts payloads for the Web UI and
// never holds the private key, so the UI and /decode show the sealed form only.
//
// Sealed form: "sealed:v1:<key id>:<base64 RSA-OAEP-SHA256 ciphertext>". The key id is a fingerprint
// of the public key, so workers can hold several private keys while a rotation is under way.
//
// Configuration (files or the PEM text itself):
//   COMPOUND_SEALING_PUBLIC_KEY(_FILE)    the CLI and anything that registers interactions
//   COMPOUND_SEALING_PRIVATE_KEYS(_FILE)  workers (one or more PEM private keys, newest first)

const PREFIX = 'sealed:v1:';
const OAEP = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' } as const;

export const isSealed = (value: string) => SEALED_KEY_PATTERN.test(value);

export function keyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 12);
}

export function seal(plaintext: string, publicKey: KeyObject): string {
  const sealed = publicEncrypt({ key: publicKey, ...OAEP }, Buffer.from(plaintext, 'utf8'));
  return `${PREFIX}${keyId(publicKey)}:${sealed.toString('base64')}`;
}

export type Opener = (sealed: string) => string;

/** Opens sealed values with whichever of the private keys sealed them. */
export function createOpener(privateKeys: KeyObject[]): Opener {
  const byId = new Map(privateKeys.map((k) => [keyId(createPublicKey(k)), k]));
  return (sealed) => {
    const [, , id, body] = sealed.split(':');
    const key = byId.get(id);
    if (!key)
      throw new Error(
        `the Stripe key was sealed with sealing key ${id}, which this worker does not hold (it holds ${[...byId.keys()].join(', ') || 'none'}): give it that private key in COMPOUND_SEALING_PRIVATE_KEYS_FILE`,
      );
    return privateDecrypt({ key, ...OAEP }, Buffer.from(body, 'base64')).toString('utf8');
  };
}

export function generateSealingKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function textFrom(env: Env, name: string): string | undefined {
  if (env[name]) return env[name];
  const file = env[`${name}_FILE`];
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${name}_FILE: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

const pemBlocks = (text: string) => text.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];

export const MISSING_SEALING_KEY =
  'No sealing key: Stripe keys are sealed before they are stored. Set COMPOUND_SEALING_PUBLIC_KEY_FILE ' +
  '(make a pair with `compound keys generate-sealing`; inside the project the local stack makes one).';

export const MISSING_SEALING_PRIVATE_KEY =
  'No sealing private key: a worker opens the sealed Stripe keys of interactions with it. Set ' +
  'COMPOUND_SEALING_PRIVATE_KEYS_FILE to the private key made by `compound keys generate-sealing`.';

/** The public key new keys are sealed with: the first of COMPOUND_SEALING_PUBLIC_KEY(_FILE). */
export function loadSealingPublicKey(env: Env = process.env): KeyObject {
  const text = textFrom(env, 'COMPOUND_SEALING_PUBLIC_KEY');
  const [pem] = text ? pemBlocks(text) : [];
  if (!pem) throw new Error(MISSING_SEALING_KEY);
  return createPublicKey(pem);
}

/** The private keys a worker opens sealed keys with (several while a rotation is under way). */
export function loadSealingPrivateKeys(env: Env = process.env): KeyObject[] {
  const text = textFrom(env, 'COMPOUND_SEALING_PRIVATE_KEYS');
  return text ? pemBlocks(text).map((pem) => createPrivateKey(pem)) : [];
}
