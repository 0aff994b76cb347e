import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Stripe from 'stripe';
import { z } from 'zod';
import { unknownResource } from '../../client/interaction-input';
import { resourceTableMarkdown } from '../../client/resource-table';
import { encodeQuery, listParamsFor } from '../../stripe/client';
import { classifyStripeError } from '../../stripe/errors';
import {
  closeResourceNames,
  FREQUENCIES,
  hasEvents,
  isResourceName,
  RESOURCE_NAMES,
  RESOURCES,
  resourceForObject,
} from '../../stripe/resources';

// The registry's own rules; its agreement with Stripe's spec is test/integration/stripe-mock-conformance.

const eventType = z.string().regex(/^[a-z_]+(\.[a-z_]+)+$/);
const entrySchema = z
  .object({
    name: z.string().regex(/^[a-z_]+$/),
    label: z.string().min(3),
    path: z.string().regex(/^\/v1\/[a-z_/]+$/),
    object: z.string().regex(/^[a-z_.]+$/),
    listParams: z.record(z.string(), z.string()),
    createdFilter: z.boolean(),
    createdField: z.enum(['created', 'date']),
    frequencies: z.array(z.enum(FREQUENCIES)).min(1),
    permission: z.string().regex(/^rak_[a-z_]+_read$/),
    events: z.object({ changed: z.array(eventType), deleted: z.array(eventType) }).strict(),
  })
  .strict();

describe('the resource registry', () => {
  it('has at least 22 resources, one of them without a created filter', () => {
    expect(RESOURCE_NAMES.length).toBeGreaterThanOrEqual(22);
    expect(RESOURCE_NAMES.some((r) => !RESOURCES[r].createdFilter)).toBe(true);
  });

  it.each(RESOURCE_NAMES)('%s has every field, well formed', (name) => {
    const parsed = entrySchema.safeParse(RESOURCES[name]);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(RESOURCES[name].name).toBe(name);
    expect(RESOURCES[name].path.slice(4).replace(/\//g, '_')).toBe(name);
  });

  it('a missing field fails the check', () => {
    const { permission: _dropped, ...withoutPermission } = RESOURCES.charges;
    expect(entrySchema.safeParse(withoutPermission).success).toBe(false);
  });

  it('names, paths and object types are unique, and an event type belongs to one resource', () => {
    for (const field of ['name', 'path', 'object'] as const) {
      const values = RESOURCE_NAMES.map((r) => RESOURCES[r][field]);
      expect(new Set(values).size).toBe(values.length);
    }
    const types = RESOURCE_NAMES.flatMap((r) => [
      ...RESOURCES[r].events.changed,
      ...RESOURCES[r].events.deleted,
    ]);
    expect(new Set(types).size).toBe(types.length);
  });

  it('keeps what the product promised before: subscriptions daily or monthly, listed with status=all', () => {
    expect(RESOURCES.subscriptions.frequencies).toEqual(['daily', 'monthly']);
    expect(RESOURCES.subscriptions.listParams).toEqual({ status: 'all' });
    expect(RESOURCES.charges.frequencies).toEqual(['hourly', 'daily', 'monthly']);
  });

  it('names at most 20 event types per resource (Stripe takes at most 20 in one types[] filter)', () => {
    for (const r of RESOURCE_NAMES) {
      const { changed, deleted } = RESOURCES[r].events;
      expect(changed.length + deleted.length).toBeLessThanOrEqual(20);
    }
  });

  it('says which resources have no events (snapshots only)', () => {
    expect(hasEvents('balance_transactions')).toBe(false);
    expect(hasEvents('customers')).toBe(true);
    expect(RESOURCES.customers.events.deleted).toEqual(['customer.deleted']);
  });

  it('finds a resource by object type and by name', () => {
    expect(resourceForObject('checkout.session')?.name).toBe('checkout_sessions');
    expect(isResourceName('invoiceitems')).toBe(true);
    expect(isResourceName('toString')).toBe(false);
  });

  it.each([
    ['charge', 'charges'],
    ['Customer', 'customers'],
    ['checkout.sessions', 'checkout_sessions'],
    ['invoice_items', 'invoiceitems'],
    ['payment-intent', 'payment_intents'],
    ['subscripitons', 'subscriptions'],
  ])('a mistyped %s suggests %s', (typed, expected) => {
    expect(closeResourceNames(typed)[0]).toBe(expected);
    expect(unknownResource(typed).message).toContain(`did you mean ${expected}`);
  });

  it('suggests nothing for a name nowhere near, and says where the list is', () => {
    expect(closeResourceNames('zzzzzz')).toEqual([]);
    expect(unknownResource('zzzzzz').message).toMatch(
      /unknown resource "zzzzzz" \(`compound resources` lists all \d+\)/,
    );
  });
});

describe('the list request', () => {
  const range = { gte: 1262304000, lt: 1700000000 };

  it('carries the created range only where the list takes one, and the registry parameters always', () => {
    expect(
      encodeQuery(listParamsFor(RESOURCES.subscriptions, { limit: 100, range, startingAfter: 'sub_1' })),
    ).toBe('limit=100&created[gte]=1262304000&created[lt]=1700000000&starting_after=sub_1&status=all');
    expect(encodeQuery(listParamsFor(RESOURCES.payment_links, { limit: 100, range }))).toBe('limit=100');
  });

  it('encodes values', () => {
    expect(encodeQuery({ starting_after: 'a&b c' })).toBe('starting_after=a%26b%20c');
  });
});

describe('the Stripe error reading (shared by the activity and the key check)', () => {
  const raw = { message: 'm sk_test_abcdefghijklmnop1234', type: 'invalid_request_error' as const };
  it.each([
    [new Stripe.errors.StripeAuthenticationError(raw), 'invalidKey'],
    [new Stripe.errors.StripePermissionError(raw), 'missingPermission'],
    [new Stripe.errors.StripeInvalidRequestError(raw), 'refusedRequest'],
    [new Stripe.errors.StripeRateLimitError(raw), 'rateLimited'],
    [new Stripe.errors.StripeConnectionError(raw), 'unreachable'],
    [
      new Stripe.errors.StripeAPIError({ ...raw, message: 'Invalid JSON received from the Stripe API' }),
      'notJson',
    ],
    [new Stripe.errors.StripeAPIError(raw), 'transient'],
  ])('%p is %s, with the key masked', (err, kind) => {
    const e = classifyStripeError(err);
    expect(e.kind).toBe(kind);
    expect(e.fromStripe).toBe(true);
    expect(e.message).not.toContain('abcdefghijklmnop1234');
  });

  it('tells errors that did not come from Stripe apart', () => {
    expect(classifyStripeError(new Error('boom')).fromStripe).toBe(false);
  });
});

it('the README resource table is the registry', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const table = /<!-- resources:start -->\n([\s\S]*?)\n<!-- resources:end -->/.exec(readme)?.[1];
  // cells compared without their padding, so a markdown formatter may align the columns
  const cells = (markdown: string | undefined) =>
    (markdown ?? '').split('\n').map((line) => line.split('|').map((c) => c.trim().replace(/^-+$/, '---')));
  expect(cells(table)).toEqual(cells(resourceTableMarkdown()));
});
