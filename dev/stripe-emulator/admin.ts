import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { applyConfigPatch } from './config';
import { snapshot } from './counters';
import { addFault, FAULT_KINDS } from './faults';
import { clockSetting, setClock } from './clock';
import { addAccount, countersFor, resetCounters, resetState, type EmulatorState } from './state';
import {
  AdminError,
  accountInfo,
  addRestrictedKey,
  createObject,
  deleteAccount,
  deleteObject,
  groundTruthJson,
  requireAccount,
  updateObject,
} from './store';
import { isMutableResource, PERMISSIONS } from './catalog';
import { COLLECTIONS, MUTABLE_RESOURCES, type MutableResource, type ResourceName } from './types';
import type { Account } from './account';
import type { JsonObject } from './json';

// The admin API under /_emulator: JSON in and out, no auth. It sets up accounts, mutates objects
// (writing the matching events), reads counters, changes latency/limits and injects faults.

const nonNegInt = z.number().int().min(0);
// ~250 bytes per stored object: a cap that keeps a typo from eating the machine's memory
const objectCount = nonNegInt.max(5_000_000);
// every registry resource, and only those: a misspelt name is a 400, not a silently empty resource
const mutable = z.enum(MUTABLE_RESOURCES as [MutableResource, ...MutableResource[]]);
const countsSchema = z.strictObject(
  Object.fromEntries(MUTABLE_RESOURCES.map((r) => [r, objectCount.optional()])) as Record<
    MutableResource,
    z.ZodOptional<typeof objectCount>
  >,
);

export const accountSpecSchema = z.strictObject({
  id: z
    .string()
    .regex(/^acct_[A-Za-z0-9]+$/, 'id must look like acct_…')
    .optional(),
  mode: z.enum(['test', 'live']),
  seed: z.number().int().optional(),
  counts: countsSchema.optional(),
  span: z
    .strictObject({ from: nonNegInt, to: nonNegInt })
    .refine((s) => s.from <= s.to, 'span.from must be <= span.to')
    .optional(),
  ties: z
    .strictObject({ count: nonNegInt, at: nonNegInt.optional(), resource: mutable.optional() })
    .optional(),
  canceledFraction: z.number().min(0).max(1).optional(),
});

const latencySchema = z.strictObject({
  baseMs: z.number().min(0).optional(),
  perObjectMs: z.number().min(0).optional(),
  jitterMs: z.number().min(0).optional(),
});

const restrictedKeySchema = z.strictObject({
  permissions: z.array(z.enum(PERMISSIONS as [string, ...string[]])),
});

export const configPatchSchema = z.strictObject({
  latency: latencySchema.optional(),
  rateLimits: z
    .strictObject({
      enabled: z.boolean().optional(),
      globalTest: z.number().int().min(1).optional(),
      globalLive: z.number().int().min(1).optional(),
      perEndpoint: z.number().int().min(1).optional(),
    })
    .optional(),
  concurrencyLimit: z.number().int().min(1).nullable().optional(),
});

const clockSchema = z
  .object({ offsetSeconds: z.number().int().optional(), frozenAt: z.number().int().min(0).optional() })
  .strict();

const faultSchema = z.strictObject({
  account: z.string().optional(),
  endpoint: z.string().optional(),
  kind: z.enum(FAULT_KINDS as [string, ...string[]]).transform((k) => k as (typeof FAULT_KINDS)[number]),
  probability: z.number().min(0).max(1).optional(),
  count: z.number().int().min(1).optional(),
  stallMs: z.number().int().min(0).optional(),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new AdminError(400, z.prettifyError(r.error));
  return r.data;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 16 * 1024 * 1024) throw new AdminError(413, 'body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AdminError(400, 'body is not valid JSON');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function resourceOf(name: string, allowEvents: boolean): ResourceName {
  if (isMutableResource(name) || (allowEvents && name === 'events')) return name;
  throw new AdminError(404, `Unknown resource: ${name}`);
}

function accountSummary(a: Account) {
  const counts: Record<string, number> = {};
  for (const r of COLLECTIONS) counts[r] = a.collections[r].arr.length;
  return { ...accountInfo(a), seed: a.seed, counts };
}

/** The emulator process's CPU time and memory: lets a benchmark tell the emulator's cost from its own. */
function processStats() {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    uptimeMs: Math.round(process.uptime() * 1000),
  };
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function handleAdmin(
  st: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  search: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  const parts = path.split('/').slice(2).map(decodeURIComponent); // after '', '_emulator'
  const query = new URLSearchParams(search);
  try {
    const body = method === 'POST' || method === 'PUT' ? await readJson(req) : (req.resume(), undefined);
    const [a, b, c, d, e] = parts;
    const at = (m: string, n: number) => method === m && parts.length === n;

    if (at('GET', 1) && a === 'health') return sendJson(res, 200, { ok: true });
    if (at('GET', 1) && a === 'stats') return sendJson(res, 200, processStats());
    if (a === 'accounts') {
      if (at('GET', 1))
        return sendJson(res, 200, { data: [...st.store.accounts.values()].map(accountSummary) });
      if (at('POST', 1))
        return sendJson(res, 200, accountInfo(addAccount(st, parse(accountSpecSchema, body))));
      if (at('GET', 2)) return sendJson(res, 200, accountSummary(requireAccount(st.store, b)));
      if (at('DELETE', 2)) {
        if (!deleteAccount(st.store, b)) throw new AdminError(404, `No such account: ${b}`);
        return sendJson(res, 200, { id: b, deleted: true });
      }
      if (c === 'keys' && at('POST', 3)) {
        const { permissions } = parse(restrictedKeySchema, body);
        const key = addRestrictedKey(st.store, requireAccount(st.store, b), permissions);
        return sendJson(res, 200, { key, permissions });
      }
      // Revoking a key, as the Stripe dashboard does: requests with it answer 401 from now on.
      if (c === 'keys' && at('DELETE', 4)) {
        const held = st.store.keys.get(d);
        if (!held || held.account.id !== b) throw new AdminError(404, `No such key on account ${b}`);
        st.store.keys.delete(d);
        return sendJson(res, 200, { revoked: true });
      }
      if (c === 'objects' && parts.length >= 4) {
        const account = requireAccount(st.store, b);
        if (at('GET', 4)) return sendText(res, 200, groundTruthJson(account, resourceOf(d, true)));
        const resource = resourceOf(d, false) as MutableResource;
        if (at('POST', 4) || at('POST', 5)) {
          if (!isObject(body)) throw new AdminError(400, 'body must be a JSON object');
          const obj =
            e === undefined
              ? createObject(account, resource, body)
              : updateObject(account, resource, e, body);
          return sendJson(res, 200, obj);
        }
        if (at('DELETE', 5)) return sendJson(res, 200, deleteObject(account, resource, e));
      }
    }
    if (a === 'clock') {
      if (at('GET', 1)) return sendJson(res, 200, clockSetting());
      if (at('PUT', 1)) return sendJson(res, 200, setClock(parse(clockSchema, body)));
    }
    if (at('POST', 1) && a === 'reset') {
      setClock({});
      resetState(st);
      return sendJson(res, 200, { ok: true, accounts: [...st.store.accounts.keys()] });
    }
    if (a === 'counters') {
      const account = query.get('account') ?? undefined;
      if (at('GET', 1)) {
        if (account !== undefined) requireAccount(st.store, account);
        return sendJson(res, 200, snapshot(account === undefined ? st.totals : countersFor(st, account)));
      }
      if (at('POST', 2) && b === 'reset') {
        resetCounters(st, account);
        return sendJson(res, 200, { ok: true });
      }
    }
    if (a === 'config') {
      if (at('GET', 1)) return sendJson(res, 200, st.config);
      if (at('PUT', 1)) {
        st.config = applyConfigPatch(st.config, parse(configPatchSchema, body));
        return sendJson(res, 200, st.config);
      }
    }
    if (a === 'faults') {
      if (at('GET', 1)) return sendJson(res, 200, { data: st.faults.faults });
      if (at('POST', 1)) return sendJson(res, 200, { id: addFault(st.faults, parse(faultSchema, body)).id });
      if (at('DELETE', 1)) {
        st.faults.faults = [];
        return sendJson(res, 200, { ok: true });
      }
    }
    throw new AdminError(404, `No admin route ${method} ${path}`);
  } catch (err) {
    if (err instanceof AdminError) return sendJson(res, err.status, { error: { message: err.message } });
    console.error('stripe emulator: admin request failed', err);
    return sendJson(res, 500, { error: { message: String(err) } });
  }
}
