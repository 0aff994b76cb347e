import { createStripeClient, listPage, type ListParams } from '../../activities/stripe-client';
import { RESOURCE_NAMES, RESOURCES } from '../../common/resources';
import { services } from '../services/env';

// The list requests Compound sends, checked against stripe-mock (Stripe's OpenAPI-driven mock), which
// rejects unknown parameters and malformed values the way the real API does. The emulator is ours;
// this is the check that what we send is what Stripe accepts.

const stripe = createStripeClient({
  stripeKey: 'sk_test_123',
  apiBase: services().stripeMockUrl,
  timeoutMs: 10000,
});

describe.each(RESOURCE_NAMES)('%s list requests are valid for Stripe', (resource) => {
  const extra = RESOURCES[resource].listParams;

  it('a slice’s first page: limit and a half-open created range', async () => {
    const page = await listPage(stripe, resource, {
      limit: 100,
      created: { gte: 1262304000, lt: 1795565104 },
      ...extra,
    });
    expect(Array.isArray(page.data)).toBe(true);
    expect(typeof page.has_more).toBe('boolean');
  });

  it('a following page: starting_after within the slice', async () => {
    const page = await listPage(stripe, resource, {
      limit: 100,
      created: { gte: 1262304000, lt: 1795565104 },
      starting_after: `${resource.slice(0, 3)}_123`,
      ...extra,
    });
    expect(Array.isArray(page.data)).toBe(true);
  });

  it('the key check: limit=1 (as client/stripe-key.ts sends it)', async () => {
    const page = await listPage(stripe, resource, { limit: 1, ...extra } as unknown as ListParams);
    expect(page.data.length).toBeLessThanOrEqual(1);
  });
});

it('stripe-mock does reject what Stripe rejects (the check can fail)', async () => {
  await expect(
    listPage(stripe, 'charges', { limit: 100, created: { gte: 1, lt: 2 }, no_such_parameter: 'x' }),
  ).rejects.toThrow(/additional properties are not allowed/);
});
