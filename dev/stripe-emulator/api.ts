import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { API_VERSION } from './account';
import { authenticate, requirePermission, type Authenticated } from './auth';
import { BY_PATH } from './catalog';
import { latencyMs } from './config';
import { countRequest, enter, leave, type CounterSet } from './counters';
import {
  apiError,
  errorJson,
  missingPermission,
  rateLimited,
  StripeHttpError,
  unrecognizedUrl,
} from './errors';
import { pickFault, type Fault } from './faults';
import { listObjects, retrieveObject, type ApiResult } from './list';
import { parseQuery } from './query';
import { tryAcquire } from './rate-limit';
import { countersFor, limiterFor, type EmulatorState } from './state';
import { nowSeconds } from './store';
import { COLLECTIONS, type Mode, type ResourceName } from './types';

// The /v1 surface. Order of checks: key (401) → concurrency limit (429) → injected fault → rate
// limits (429) → restricted-key permission (403) → parameters (400/404) → the answer, delayed by the
// latency model. Faults come after authentication so they can target one account or endpoint, and
// before the rate limiter so an injected burst does not use up the account's real budget.

interface Route {
  resource: ResourceName;
  id?: string;
  endpoint: string;
  /** GET /v1/account: the key's own account */
  account?: true;
}

// endpoint names (`charges.list`, `checkout_sessions.retrieve`), made once rather than per request
const LIST = Object.fromEntries(COLLECTIONS.map((r) => [r, `${r}.list`])) as Record<ResourceName, string>;
const RETRIEVE = Object.fromEntries(COLLECTIONS.map((r) => [r, `${r}.retrieve`])) as Record<
  ResourceName,
  string
>;

/** `<path>` lists, `<path>/<id>` retrieves; a path may have several segments (/v1/checkout/sessions). */
function route(method: string, path: string): Route | null {
  if (method !== 'GET') return null;
  if (path === '/v1/account') return { resource: 'charges', endpoint: 'account.retrieve', account: true };
  const listed = BY_PATH.get(path);
  if (listed) return { resource: listed, endpoint: LIST[listed] };
  const slash = path.lastIndexOf('/');
  const resource = BY_PATH.get(path.slice(0, slash));
  if (!resource) return null;
  const id = decodeURIComponent(path.slice(slash + 1));
  if (!id) return null;
  return { resource, id, endpoint: RETRIEVE[resource] };
}

const random = Math.random; // a module constant: global lookups are slow under jest (see random.ts)
const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function requestId(): string {
  let s = 'req_';
  for (let i = 0; i < 14; i++) s += ID_CHARS[(random() * 62) | 0];
  return s;
}

const sleep = (ms: number) =>
  ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  reqId: string,
  version: string,
  extra: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'Request-Id': reqId,
    'Stripe-Version': version,
    'Cache-Control': 'no-cache, no-store',
    ...extra,
  });
  res.end(body);
}

function sendError(res: ServerResponse, e: StripeHttpError, reqId: string, version: string): void {
  send(res, e.status, errorJson(e), reqId, version, e.headers);
}

export async function handleApi(
  st: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  search: string,
): Promise<void> {
  const reqId = requestId();
  const method = req.method ?? 'GET';
  const version =
    typeof req.headers['stripe-version'] === 'string' ? req.headers['stripe-version'] : API_VERSION;
  const r = route(method, path);
  const endpoint = r?.endpoint ?? 'unknown';
  // bodies are never read (only GETs are served); drain them so the keep-alive socket stays usable
  req.resume();

  let auth: Authenticated;
  try {
    auth = authenticate(st.store, req.headers.authorization);
  } catch (e) {
    const err = e instanceof StripeHttpError ? e : apiError();
    sendError(res, err, reqId, version);
    countRequest(st.totals, endpoint, String(err.status), 0);
    return;
  }

  const account = auth.account;
  const mine = countersFor(st, account.id);
  const sets: CounterSet[] = [st.totals, mine];
  const count = (status: string, objects: number, firstPage = false) =>
    sets.forEach((c) => countRequest(c, endpoint, status, objects, firstPage));
  sets.forEach(enter);
  try {
    if (!r) throw unrecognizedUrl(method, path);
    const limit = st.config.concurrencyLimit;
    if (limit !== null && mine.inFlight > limit) throw rateLimited(account.mode, 'global-concurrency');

    const fault = pickFault(st.faults, account.id, endpoint);
    if (fault) {
      await injectFault(
        st,
        fault,
        account.mode,
        req,
        res,
        () => answer(st, auth, r, search),
        reqId,
        version,
        count,
      );
      return;
    }

    const reason = tryAcquire(limiterFor(st, account), endpoint, performance.now());
    if (reason) throw rateLimited(account.mode, reason);

    const result = answer(st, auth, r, search);
    await sleep(latencyMs(st.config.latency, result.objects));
    send(res, 200, result.body, reqId, version);
    count('200', result.objects, r.id === undefined && !/(starting_after|ending_before)=/.test(search));
  } catch (e) {
    const err = e instanceof StripeHttpError ? e : apiError();
    if (!(e instanceof StripeHttpError)) console.error('stripe emulator: request failed', e);
    // limiters answer at once; other errors cost a round trip like on Stripe
    if (err.status !== 429) await sleep(latencyMs(st.config.latency, 0));
    sendError(res, err, reqId, version);
    count(String(err.status), 0);
  } finally {
    sets.forEach(leave);
  }
}

function answer(st: EmulatorState, auth: Authenticated, r: Route, search: string): ApiResult {
  if (r.account) return accountAnswer(auth);
  requirePermission(auth, r.resource);
  const params = parseQuery(search);
  const now = nowSeconds();
  return r.id === undefined
    ? listObjects(auth.account, r.resource, params, now)
    : retrieveObject(auth.account, r.resource, r.id, params, now);
}

async function injectFault(
  st: EmulatorState,
  fault: Fault,
  mode: Mode,
  req: IncomingMessage,
  res: ServerResponse,
  compute: () => ApiResult,
  reqId: string,
  version: string,
  count: (status: string, objects: number) => void,
): Promise<void> {
  switch (fault.kind) {
    case 'server_error':
      sendError(res, apiError(), reqId, version);
      count('500', 0);
      return;
    case 'rate_limit':
      sendError(res, rateLimited(mode, 'global-rate'), reqId, version);
      count('429', 0);
      return;
    case 'connection_reset':
      count('reset', 0);
      req.socket.destroy();
      return;
    case 'stall': {
      count('stall', 0);
      // hold the request (and its concurrency slot) until the client gives up or stallMs passes
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, fault.stallMs ?? 60000);
        st.stalls.add(timer);
        req.socket.once('close', done);
        function done() {
          clearTimeout(timer);
          st.stalls.delete(timer);
          req.socket.destroy();
          resolve();
        }
      });
      return;
    }
    case 'not_json':
      res.writeHead(500, { 'content-type': 'text/html', 'request-id': reqId });
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      count('not_json', 0);
      return;
    case 'malformed': {
      let body: string | Buffer = '{"object":"list","data":[{"id":';
      try {
        const full = compute().body;
        body = full.subarray(0, Math.max(1, Math.floor(full.length / 2)));
      } catch {
        // keep the fixed fragment: the point is a 200 whose body does not parse
      }
      send(res, 200, body, reqId, version);
      count('malformed', 0);
      return;
    }
  }
}

/**
 * GET /v1/account: a secret key reads its account; a restricted key gets Stripe's 403, which, like
 * Stripe's, names the account (Compound reads the account id from either).
 */
function accountAnswer(auth: Authenticated): ApiResult {
  if (auth.kind !== 'secret') throw missingPermission(auth.key, auth.account.id, 'rak_account_read');
  const body = JSON.stringify({
    id: auth.account.id,
    object: 'account',
    livemode: auth.account.mode === 'live',
    type: 'standard',
    charges_enabled: true,
    payouts_enabled: true,
  });
  return { body: Buffer.from(body), objects: 0 };
}
