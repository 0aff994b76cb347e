import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter, METADATA_ENCODING_KEY } from '@temporalio/common';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCodecServer, tokenizedEndpoint } from '../../client/codec-server';
import { codecServerAuth } from '../../client/commands/codec-server';
import {
  ENCRYPTED_ENCODING,
  createEncryptionCodec,
  generateKeySpec,
  parseKeyring,
} from '../../common/encryption';

const SECRET = 'rk_test_51AbCdEfGhIjKlMnOpQrStUvWxYz0123';
const UI = 'http://localhost:8233';
const TOKEN = 'let-me-in-0123456789abcdef';
const NAMESPACE = 'compound-prod';
const b64 = (s: string) => Buffer.from(s).toString('base64');

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

describe('codec server', () => {
  let server: Server;
  let url: string;
  const codec = createEncryptionCodec(parseKeyring(generateKeySpec('k1'), 'test'));

  beforeAll(async () => {
    server = createCodecServer({ codec, allowedOrigins: [UI], authToken: TOKEN, namespaces: [NAMESPACE] });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url + path, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${TOKEN}`,
        'X-Namespace': NAMESPACE,
        ...headers,
      },
      body: JSON.stringify(body),
    });

  const plainPayload = (): JsonPayload => {
    const p = defaultPayloadConverter.toPayload({ stripeKey: SECRET });
    return {
      metadata: { encoding: Buffer.from(p.metadata![METADATA_ENCODING_KEY]).toString('base64') },
      data: Buffer.from(p.data!).toString('base64'),
    };
  };

  it('/encode then /decode round-trips, and /encode output holds no plaintext', async () => {
    const encodedRes = await post('/encode', { payloads: [plainPayload()] });
    expect(encodedRes.status).toBe(200);
    const encoded = (await encodedRes.json()) as { payloads: JsonPayload[] };
    expect(Buffer.from(encoded.payloads[0].metadata!.encoding, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    expect(JSON.stringify(encoded)).not.toContain(b64(SECRET).slice(0, 20));
    expect(Buffer.from(encoded.payloads[0].data!, 'base64').includes(Buffer.from(SECRET))).toBe(false);

    const decodedRes = await post('/decode', encoded);
    expect(decodedRes.status).toBe(200);
    const decoded = (await decodedRes.json()) as { payloads: JsonPayload[] };
    expect(JSON.parse(Buffer.from(decoded.payloads[0].data!, 'base64').toString())).toEqual({
      stripeKey: SECRET,
    });
  });

  it('answers CORS for an allowed origin, including the preflight', async () => {
    const preflight = await fetch(url + '/decode', {
      method: 'OPTIONS',
      headers: { Origin: UI, 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const res = await post('/decode', { payloads: [] }, { Origin: UI });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
  });

  it('refuses other origins without CORS headers', async () => {
    const res = await post('/decode', { payloads: [] }, { Origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(url + '/decode', {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('/decode without credentials is a 401, and so is a wrong token, in a header or the path', async () => {
    const noAuth = await post('/decode', { payloads: [] }, { Authorization: '' });
    expect(noAuth.status).toBe(401);
    expect(JSON.stringify(await noAuth.json())).not.toContain(TOKEN);
    expect((await post('/decode', { payloads: [] }, { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(`/t/${TOKEN}x/decode`, { payloads: [] }, { Authorization: '' })).status).toBe(401);
    expect((await post('/t/wrong/encode', { payloads: [] }, { Authorization: '' })).status).toBe(401);
    // A wrong token in the path is not rescued by a right one in the header.
    expect((await post('/t/wrong/decode', { payloads: [] })).status).toBe(401);
    // An unknown path says nothing more without the token.
    expect((await post('/other', {}, { Authorization: '' })).status).toBe(401);
  });

  it('answers with the bearer token, and with the token in the path as the Web UI sends it', async () => {
    expect((await post('/decode', { payloads: [] })).status).toBe(200);
    // The UI calls `${endpoint}/decode` (newer UIs add ?preserveStorageRefs=true), from its origin.
    const endpoint = new URL(tokenizedEndpoint(url, TOKEN)).pathname;
    for (const path of [
      `${endpoint}/decode`,
      `${endpoint}/encode?preserveStorageRefs=true`,
      `${endpoint}//decode`,
    ]) {
      const res = await post(path, { payloads: [] }, { Authorization: '', Origin: UI });
      expect([path, res.status]).toEqual([path, 200]);
    }
  });

  it('refuses namespaces it does not serve with a 403, after the token', async () => {
    const other = await post('/decode', { payloads: [] }, { 'X-Namespace': 'someone-else' });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: string }).error).toMatch(/"someone-else" is not served/);
    expect((await post('/decode', { payloads: [] }, { 'X-Namespace': '' })).status).toBe(403);
    const unnamed = await fetch(url + '/decode', {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: '{"payloads": []}',
    });
    expect(unnamed.status).toBe(403);
    // Without the token the namespace is not even looked at.
    expect((await post('/decode', { payloads: [] }, { 'X-Namespace': 'x', Authorization: '' })).status).toBe(
      401,
    );
  });

  it('404s other paths, 400s bad bodies, serves /health', async () => {
    expect((await post('/other', {})).status).toBe(404);
    expect(
      (
        await fetch(url + '/decode', {
          method: 'POST',
          headers: { Authorization: `Bearer ${TOKEN}`, 'X-Namespace': NAMESPACE },
          body: '{not json',
        })
      ).status,
    ).toBe(400);
    expect((await fetch(url + '/health')).status).toBe(200);
  });

  it('a payload from an unknown key is a 400 with the reason', async () => {
    const other = createEncryptionCodec(parseKeyring(generateKeySpec('k9'), 'test'));
    const [p] = await other.encode([defaultPayloadConverter.toPayload('x')]);
    const json = {
      metadata: Object.fromEntries(
        Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(p.data!).toString('base64'),
    };
    const res = await post('/decode', { payloads: [json] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/key "k9"/);
  });
});

describe('codec server without a token', () => {
  const codec = createEncryptionCodec(parseKeyring(generateKeySpec('k1'), 'test'));
  // No envconfig file, so a developer's own Temporal profile does not change the default namespace.
  const dir = mkdtempSync(join(tmpdir(), 'codec-token-'));
  const NO_PROFILE = { TEMPORAL_CONFIG_FILE: join(dir, 'no-such.toml') };

  it('is refused unless insecureNoAuth is explicit', () => {
    expect(() => createCodecServer({ codec, allowedOrigins: [], namespaces: ['default'] })).toThrow(/token/);
    expect(() =>
      createCodecServer({ codec, allowedOrigins: [], namespaces: ['default'], insecureNoAuth: true }).close(),
    ).not.toThrow();
  });

  it('the command reads the token from the variable or the file, and refuses to start without one', () => {
    expect(() => codecServerAuth({ host: '127.0.0.1' }, {})).toThrow(/needs a token.*--insecure-no-auth/s);
    expect(codecServerAuth({ host: '127.0.0.1', insecureNoAuth: true }, NO_PROFILE)).toEqual({
      authToken: undefined,
      namespaces: ['default'],
    });
    expect(
      codecServerAuth({ host: '127.0.0.1' }, { ...NO_PROFILE, COMPOUND_CODEC_AUTH_TOKEN: TOKEN }).authToken,
    ).toBe(TOKEN);
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    expect(
      codecServerAuth(
        { host: '127.0.0.1' },
        { ...NO_PROFILE, COMPOUND_CODEC_AUTH_TOKEN_FILE: join(dir, 'token') },
      ).authToken,
    ).toBe(TOKEN);
    expect(() =>
      codecServerAuth({ host: '127.0.0.1', insecureNoAuth: true }, { COMPOUND_CODEC_AUTH_TOKEN: TOKEN }),
    ).toThrow(/choose one/);
    expect(() => codecServerAuth({ host: '127.0.0.1' }, { COMPOUND_CODEC_AUTH_TOKEN: 'short' })).toThrow(
      /at least 16/,
    );
    expect(() =>
      codecServerAuth({ host: '127.0.0.1' }, { COMPOUND_CODEC_AUTH_TOKEN: 'has/a/slash/0123456789' }),
    ).toThrow(/URL path/);
  });

  it('serves the configured namespace by default, or the ones it is given', () => {
    const env = { ...NO_PROFILE, COMPOUND_CODEC_AUTH_TOKEN: TOKEN };
    expect(codecServerAuth({ host: 'h' }, { ...env, TEMPORAL_NAMESPACE: 'ns.acct' }).namespaces).toEqual([
      'ns.acct',
    ]);
    expect(codecServerAuth({ host: 'h' }, { ...env, COMPOUND_CODEC_NAMESPACES: 'a, b' }).namespaces).toEqual([
      'a',
      'b',
    ]);
    expect(codecServerAuth({ host: 'h', namespace: 'c' }, env).namespaces).toEqual(['c']);
  });

  it('`compound codec-server` exits 2 with the reason, before listening', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, COMPOUND_ENCRYPTION_KEYS: generateKeySpec('k1') };
    delete env.COMPOUND_CODEC_AUTH_TOKEN;
    delete env.COMPOUND_CODEC_AUTH_TOKEN_FILE;
    const run = spawnSync(
      process.execPath,
      [join(__dirname, '..', '..', 'bin', 'compound.js'), 'codec-server', '--port', '0'],
      { env, encoding: 'utf8', timeout: 30000 },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/needs a token/);
    expect(run.stdout).not.toMatch(/listening/);
  });
});
