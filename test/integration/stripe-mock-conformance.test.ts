import { createStripeClient, listPage } from '../../stripe/client';
import { RESOURCE_NAMES, RESOURCES } from '../../stripe/resources';
import { services } from '../services/env';

// Every registry entry checked against stripe-mock (Stripe's OpenAPI-driven mock), which rejects
// unknown parameters, unknown paths and malformed values the way the real API does: the exact list
// requests Compound sends, whether the list takes a created filter, the object type it returns, and
// the event types the registry names. The emulator is ours; this is the check against Stripe's spec.

const stripe = createStripeClient({
  stripeKey: 'sk_test_123',
  apiBase: services().stripeMockUrl,
  timeoutMs: 10000,
});
const RANGE = { gte: 1262304000, lt: 1795565104 };

describe.each(RESOURCE_NAMES)('%s: the registry entry matches Stripe', (resource) => {
  const spec = RESOURCES[resource];

  it('a slice’s first page (limit, created range where the list takes one, the registry’s parameters) lists the registry’s object type', async () => {
    const page = await listPage(stripe, spec, { limit: 100, range: RANGE });
    expect(typeof page.has_more).toBe('boolean');
    expect(page.data.length).toBeGreaterThan(0);
    expect(page.data[0].object).toBe(spec.object);
  });

  it('a following page: starting_after', async () => {
    const page = await listPage(stripe, spec, { limit: 100, range: RANGE, startingAfter: 'x_123' });
    expect(Array.isArray(page.data)).toBe(true);
  });

  it('the key check: limit=1 (as client/stripe-key.ts sends it)', async () => {
    const page = await listPage(stripe, spec, { limit: 1, range: RANGE });
    expect(page.data.length).toBeLessThanOrEqual(1);
  });

  it(`the list ${spec.createdFilter ? 'takes' : 'refuses'} a created filter, as the registry says`, async () => {
    const request = listPage(stripe, { ...spec, createdFilter: true }, { limit: 1, range: RANGE });
    if (spec.createdFilter) await expect(request).resolves.toBeDefined();
    else await expect(request).rejects.toThrow(/additional properties are not allowed|created/);
  });
});

it('every event type the registry names is one Stripe knows (a webhook endpoint accepts them all)', async () => {
  const types = RESOURCE_NAMES.flatMap((r) => [
    ...RESOURCES[r].events.changed,
    ...RESOURCES[r].events.deleted,
  ]);
  expect(new Set(types).size).toBe(types.length);
  const endpoint = (enabled: string[]) =>
    stripe.rawRequest('POST', '/v1/webhook_endpoints', {
      url: 'https://example.com/hook',
      enabled_events: enabled,
    });
  await expect(endpoint(types)).resolves.toBeDefined();
  await expect(endpoint(['charge.no_such_event'])).rejects.toThrow(/enabled_events/);
});

it('stripe-mock does reject what Stripe rejects (the check can fail)', async () => {
  await expect(
    listPage(
      stripe,
      { ...RESOURCES.charges, listParams: { no_such_parameter: 'x' } },
      { limit: 100, range: RANGE },
    ),
  ).rejects.toThrow(/additional properties are not allowed/);
});
