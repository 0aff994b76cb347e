import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin';
import { handleApi } from './api';
import { errorJson, unrecognizedUrl } from './errors';
import type { EmulatorState } from './state';

// node:http server routing /v1 to the Stripe surface and /_emulator to the admin API.

export function createEmulatorServer(st: EmulatorState): Server {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const search = q < 0 ? '' : url.slice(q + 1);
    const done = (p: Promise<void>) =>
      p.catch((err: unknown) => {
        console.error('stripe emulator: unhandled', err);
        if (!res.headersSent) res.writeHead(500).end();
      });
    if (path === '/v1' || path.startsWith('/v1/')) return done(handleApi(st, req, res, path, search));
    if (path.startsWith('/_emulator/')) return done(handleAdmin(st, req, res, path, search));
    req.resume();
    const body = errorJson(unrecognizedUrl(req.method ?? 'GET', path));
    res.writeHead(404, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
  // clients (stripe-node's agent included) keep sockets alive; outlive their idle timeouts so a
  // reused socket is not closed under a request (stripe-node would see ECONNRESET)
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;
  return server;
}

export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting, drops open (keep-alive and stalled) connections, and resolves once closed. */
export function closeServer(server: Server, st: EmulatorState): Promise<void> {
  for (const t of st.stalls) clearTimeout(t);
  st.stalls.clear();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
