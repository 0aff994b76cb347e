import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';

// The Temporal Web UI's remote codec endpoint: POST <endpoint>/encode and <endpoint>/decode with
// { payloads: [{ metadata: { k: base64 }, data: base64 }] } (Temporal's JSON encoding of Payloads),
// and the namespace the UI is showing in X-Namespace.
//
// Every call needs the token. The UI cannot send a header of its own (only an OAuth access token, and
// only with an auth provider), but it calls `${endpoint}/decode` with the endpoint's path kept, so the
// token can live in the endpoint: `http://host:8888/t/<token>` → POST /t/<token>/decode. Other clients
// may send `Authorization: Bearer <token>` to /decode instead.

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
  /** Requests must carry it, in the path (/t/<token>/decode) or as `Authorization: Bearer <token>`. */
  authToken?: string;
  /** Serve without a token: only when explicitly asked for (`--insecure-no-auth`). */
  insecureNoAuth?: boolean;
  /** The namespaces whose payloads this server decodes; a request must name one in X-Namespace. */
  namespaces: string[];
}

/** Characters a token may use: URL-safe in a path segment as is, so the endpoint needs no escaping. */
export const TOKEN_PATTERN = /^[A-Za-z0-9._~-]{16,}$/;

/** The endpoint to give the Web UI: the server's base URL with the token as the path. */
export function tokenizedEndpoint(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/t/${token}`;
}

// Digests are equal-length, so timingSafeEqual never throws and the comparison leaks neither the
// token's content nor its length.
const digest = (s: string) => createHash('sha256').update(s).digest();
const sameToken = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected));

interface Route {
  op?: 'encode' | 'decode';
  pathToken?: string;
}

/** /encode, /decode, /t/<token>/encode, /t/<token>/decode; the query (newer UIs add one) is ignored. */
function route(url: string | undefined): Route {
  // A trailing slash on the configured endpoint makes the UI call `/t/<token>//decode`.
  const path = (url ?? '/').split('?')[0].replace(/\/{2,}/g, '/');
  const m = /^(?:\/t\/([^/]+))?\/(encode|decode)$/.exec(path);
  if (!m) return {};
  let pathToken: string | undefined;
  try {
    pathToken = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
  } catch {
    pathToken = '';
  }
  return { op: m[2] as 'encode' | 'decode', pathToken };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function createCodecServer(o: CodecServerOptions): Server {
  if (!o.authToken && !o.insecureNoAuth) {
    throw new Error('the codec server needs a token (or, explicitly, insecureNoAuth)');
  }
  if (o.namespaces.length === 0) throw new Error('the codec server needs the namespaces it serves');
  const authorized = (req: IncomingMessage, r: Route): boolean => {
    if (!o.authToken) return true;
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
    const given = r.pathToken ?? bearer;
    return given !== undefined && sameToken(given, o.authToken);
  };
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
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    // /health says only that the server is up: healthchecks call it without credentials.
    if (req.method === 'GET' && req.url === '/health') return send(200, { ok: true });
    if (origin && !allowed) return send(403, { error: `origin ${origin} is not allowed` });
    // A browser's preflight carries no credentials (and returns no data), so it is answered as is.
    if (req.method === 'OPTIONS') return res.writeHead(204).end();
    const r = route(req.url);
    if (!authorized(req, r)) {
      return send(
        401,
        { error: 'missing or wrong token: call <endpoint>/t/<token>/decode or send Authorization: Bearer' },
        { 'WWW-Authenticate': 'Bearer' },
      );
    }
    if (req.method !== 'POST' || !r.op) return send(404, { error: 'POST /encode or /decode' });
    // Checked after the token, so an unauthenticated caller learns nothing about what is served.
    const namespace = req.headers['x-namespace'];
    if (typeof namespace !== 'string' || !o.namespaces.includes(namespace)) {
      return send(403, {
        error: `namespace ${namespace === undefined ? '(no X-Namespace header)' : JSON.stringify(namespace)} is not served here`,
      });
    }
    const op = r.op;
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
