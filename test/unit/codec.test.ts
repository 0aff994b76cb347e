import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import {
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  MISSING_KEY_MESSAGE,
  createEncryptionCodec,
  generateKeySpec,
  loadKeyring,
  parseKeyring,
} from '../../common/encryption';

const SECRET = 'rk_test_51AbCdEfGhIjKlMnOpQrStUvWxYz0123';
const text = (bytes: Uint8Array | null | undefined) =>
  Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
const payloadOf = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const valueOf = (payload: Payload): unknown => defaultPayloadConverter.fromPayload(payload);

describe('encryption codec', () => {
  const k1 = generateKeySpec('k1');
  const k2 = generateKeySpec('k2');

  it('round-trips payloads, and the ciphertext holds no plaintext', async () => {
    const codec = createEncryptionCodec(parseKeyring(k1, 'test'));
    const value = { interactionId: 'acme', interaction: { stripeKey: SECRET, pageSize: 100 } };
    const [encoded] = await codec.encode([payloadOf(value)]);
    expect(text(encoded.metadata?.[METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded.metadata?.[KEY_ID_METADATA])).toBe('k1');
    expect(Buffer.from(encoded.data!).includes(Buffer.from(SECRET))).toBe(false);
    expect(Buffer.from(encoded.data!).includes(Buffer.from('stripeKey'))).toBe(false);
    const [decoded] = await codec.decode([encoded]);
    expect(valueOf(decoded)).toEqual(value);
  });

  it('uses a fresh IV each time', async () => {
    const codec = createEncryptionCodec(parseKeyring(k1, 'test'));
    const [a, b] = await codec.encode([payloadOf('same'), payloadOf('same')]);
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
  });

  it('key rotation: the new key encrypts, the old key id still decodes', async () => {
    const before = createEncryptionCodec(parseKeyring(k1, 'test'));
    const [old] = await before.encode([payloadOf({ stripeKey: SECRET })]);
    const after = createEncryptionCodec(parseKeyring(`${k2},${k1}`, 'test'));
    const [fresh] = await after.encode([payloadOf('new')]);
    expect(text(fresh.metadata?.[KEY_ID_METADATA])).toBe('k2');
    expect(valueOf((await after.decode([old]))[0])).toEqual({ stripeKey: SECRET });
    expect(valueOf((await after.decode([fresh]))[0])).toBe('new');
  });

  it('still decodes payloads written with the earlier key-id metadata name', async () => {
    const codec = createEncryptionCodec(parseKeyring(k1, 'test'));
    const [encoded] = await codec.encode([payloadOf({ stripeKey: SECRET })]);
    const { [KEY_ID_METADATA]: keyId, ...rest } = encoded.metadata!;
    const legacy = { ...encoded, metadata: { ...rest, 'encryption-key-id': keyId } };
    expect(valueOf((await codec.decode([legacy]))[0])).toEqual({ stripeKey: SECRET });
  });

  it('an unknown key id is a clear error', async () => {
    const [encoded] = await createEncryptionCodec(parseKeyring(k1, 'test')).encode([payloadOf('x')]);
    await expect(createEncryptionCodec(parseKeyring(k2, 'test')).decode([encoded])).rejects.toThrow(
      'payload was encrypted with key "k1", which is not in this process\'s keyring; add it to COMPOUND_ENCRYPTION_KEYS',
    );
  });

  it('a wrong key under the same id fails authentication instead of returning garbage', async () => {
    const [encoded] = await createEncryptionCodec(parseKeyring(k1, 'test')).encode([payloadOf('x')]);
    const impostor = createEncryptionCodec(parseKeyring(`k1:${randomBytes(32).toString('base64')}`, 'test'));
    await expect(impostor.decode([encoded])).rejects.toThrow();
  });

  it('plain JSON payloads (the Web UI without a codec server) pass through decode', async () => {
    const codec = createEncryptionCodec(parseKeyring(k1, 'test'));
    const plain = payloadOf({ from: 'web-ui' });
    const [decoded] = await codec.decode([plain]);
    expect(decoded).toBe(plain);
    expect(valueOf(decoded)).toEqual({ from: 'web-ui' });
  });
});

describe('keyring', () => {
  it('parses "id:base64" lists; the first key encrypts', () => {
    const ring = parseKeyring(`${generateKeySpec('a')}, ${generateKeySpec('b')}`, 'X');
    expect(ring.activeKeyId).toBe('a');
    expect([...ring.keys.keys()]).toEqual(['a', 'b']);
  });

  it('refuses malformed keys with the source named', () => {
    expect(() => parseKeyring('nokey', 'COMPOUND_ENCRYPTION_KEYS')).toThrow(
      /COMPOUND_ENCRYPTION_KEYS: each key must be written "id:base64key"/,
    );
    expect(() => parseKeyring('a:AAAA', 'X')).toThrow(/key "a" must be 32 bytes/);
    expect(() => parseKeyring(' , ', 'X')).toThrow('X holds no key');
  });

  it('loads from the environment or a file, and refuses to go without', () => {
    const spec = generateKeySpec('env');
    expect(loadKeyring({ COMPOUND_ENCRYPTION_KEYS: spec }).activeKeyId).toBe('env');
    const file = join(mkdtempSync(join(tmpdir(), 'compound-keys-')), 'keys');
    writeFileSync(file, `${generateKeySpec('file')}\n`);
    expect(loadKeyring({ COMPOUND_ENCRYPTION_KEY_FILE: file }).activeKeyId).toBe('file');
    expect(() => loadKeyring({ COMPOUND_ENCRYPTION_KEY_FILE: `${file}.missing` })).toThrow(/cannot read/);
    expect(() => loadKeyring({})).toThrow(MISSING_KEY_MESSAGE);
  });
});
