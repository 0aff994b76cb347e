import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter, METADATA_ENCODING_KEY } from '@temporalio/common';
import { createCodecServer } from '../../client/codec-server';
import {
  ENCRYPTED_ENCODING,
  createEncryptionCodec,
  generateKeySpec,
  parseKeyring,
} from '../../common/encryption';

const SECRET = 'rk_test_51AbCdEfGhIjKlMnOpQrStUvWxYz0123';
const UI = 'http://localhost:8233';
const TOKEN = 'let-me-in';
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
    server = createCodecServer({ codec, allowedOrigins: [UI], authToken: TOKEN });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}`, ...headers },
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

  it('wants the bearer token', async () => {
    expect((await post('/decode', { payloads: [] }, { Authorization: '' })).status).toBe(401);
    expect((await post('/decode', { payloads: [] }, { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post('/decode', { payloads: [] })).status).toBe(200);
  });

  it('404s other paths, 400s bad bodies, serves /health', async () => {
    expect((await post('/other', {})).status).toBe(404);
    expect(
      (
        await fetch(url + '/decode', {
          method: 'POST',
          headers: { Authorization: `Bearer ${TOKEN}` },
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
