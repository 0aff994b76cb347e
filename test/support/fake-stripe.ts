import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A tiny stand-in for api.stripe.com in unit tests: answers every request with what `respond` returns
// and records what it received (method, path with query, Authorization header).

export interface FakeStripeRequest {
  method: string;
  url: string;
  authorization?: string;
}

export interface FakeStripe {
  url: string;
  requests: FakeStripeRequest[];
  close(): Promise<void>;
}

export type FakeStripeResponder = (req: IncomingMessage) => { status: number; body: unknown };

export const emptyList = (path: string) => ({
  status: 200,
  body: { object: 'list', url: path, has_more: false, data: [] },
});

export const stripeError = (status: number, type: string, message: string) => ({
  status,
  body: { error: { type, message } },
});

export async function startFakeStripe(respond: FakeStripeResponder): Promise<FakeStripe> {
  const requests: FakeStripeRequest[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    const { status, body } = respond(req);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Request-Id': 'req_fake' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
