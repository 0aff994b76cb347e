import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';

// The Temporal Web UI's remote codec endpoint: POST /encode and /decode with
// { payloads: [{ metadata: { k: base64 }, data: base64 }] } (Temporal's JSON encoding of Payloads).

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const toPayload = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
  ),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Only these origins (the Web UI) may call the server from a browser. */
  allowedOrigins: string[];
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  authToken?: string;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function createCodecServer(o: CodecServerOptions): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    const allowed = origin !== undefined && o.allowedOrigins.includes(origin);
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization, X-Namespace');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
    }
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/health') return send(200, { ok: true });
    if (origin && !allowed) return send(403, { error: `origin ${origin} is not allowed` });
    if (req.method === 'OPTIONS') return res.writeHead(204).end();
    if (o.authToken && req.headers.authorization !== `Bearer ${o.authToken}`) {
      return send(401, { error: 'missing or wrong bearer token' });
    }
    const op = req.url === '/encode' ? 'encode' : req.url === '/decode' ? 'decode' : undefined;
    if (req.method !== 'POST' || !op) return send(404, { error: 'POST /encode or /decode' });
    readBody(req)
      .then(async (text) => {
        const body = JSON.parse(text) as { payloads?: JsonPayload[] };
        const payloads = (body.payloads ?? []).map(toPayload);
        const result = await o.codec[op](payloads);
        send(200, { payloads: result.map(toJson) });
      })
      .catch((err: Error) => send(400, { error: err.message }));
  });
}
