import Stripe from 'stripe';
import { startEmulator, type AccountInfo, type RunningEmulator } from '../../dev/stripe-emulator';
import { bearer, caught, rawGet, stripeFor } from './helpers';

// Stripe's errors as the official client sees them: 401 → StripeAuthenticationError, 403 →
// StripePermissionError, 400/404 → StripeInvalidRequestError, with Stripe's messages, params and codes.

let emu: RunningEmulator;
let acct: AccountInfo;
let stripe: Stripe;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rateLimits: { enabled: false } });
  acct = await emu.admin.createAccount({
    mode: 'test',
    seed: 3,
    counts: { charges: 30, products: 5, subscriptions: 10 },
  });
  stripe = stripeFor(emu, acct.keys.secret);
});

afterAll(() => emu.close());

const stars = (key: string) => key.slice(0, 8) + '*'.repeat(key.length - 12) + key.slice(-4);

describe('authentication (401)', () => {
  it('an unknown key is a StripeAuthenticationError with the key masked like Stripe does', async () => {
    const err = await caught(stripeFor(emu, 'sk_test_wxyzabcd').charges.list());
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(err.statusCode).toBe(401);
    expect(err.rawType).toBe('invalid_request_error');
    expect(err.message).toBe('Invalid API Key provided: sk_test_****abcd');
    expect(err.requestId).toMatch(/^req_[A-Za-z0-9]{14}$/);
  });

  it('masks long keys with one star per hidden character', async () => {
    const key = 'sk_live_' + 'x'.repeat(40) + 'Q9z1';
    const err = await caught(stripeFor(emu, key).products.list());
    expect(err.message).toBe(`Invalid API Key provided: ${stars(key)}`);
  });

  it('no Authorization header gets Stripe\'s "You did not provide an API key" message', async () => {
    const res = await rawGet(`${emu.url}/v1/charges`);
    expect(res.status).toBe(401);
    const body = JSON.parse(res.body) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(
      /^You did not provide an API key\. You need to provide your API key in the Authorization header, using Bearer auth/,
    );
    expect(res.headers['request-id']).toMatch(/^req_/);
  });

  it('accepts the key as Basic auth user name (curl -u key:)', async () => {
    const basic = 'Basic ' + Buffer.from(`${acct.keys.secret}:`).toString('base64');
    const res = await rawGet(`${emu.url}/v1/charges?limit=1`, { Authorization: basic });
    expect(res.status).toBe(200);
  });
});

describe('restricted keys (403)', () => {
  it('a key without subscription read is a StripePermissionError naming rak_subscription_read', async () => {
    const limited = stripeFor(emu, acct.keys.restrictedNoSubscriptions);
    const err = await caught(limited.subscriptions.list());
    expect(err).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect(err.statusCode).toBe(403);
    expect(err.rawType).toBe('invalid_request_error');
    expect(err.code).toBeUndefined();
    expect(err.message).toBe(
      `The provided key '${stars(acct.keys.restrictedNoSubscriptions)}' does not have the required permissions for this endpoint ` +
        `on account '${acct.id}'. Having the 'rak_subscription_read' permission would allow this request to continue.`,
    );
  });

  it('the same key cannot read events (rak_event_read) but can read charges and products', async () => {
    const limited = stripeFor(emu, acct.keys.restrictedNoSubscriptions);
    const err = await caught(limited.events.list());
    expect(err).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect(err.message).toContain("Having the 'rak_event_read' permission");
    expect((await limited.charges.list({ limit: 1 })).data).toHaveLength(1);
    expect((await limited.products.list({ limit: 1 })).data).toHaveLength(1);
  });

  it('the full restricted key reads all four resources', async () => {
    const rk = stripeFor(emu, acct.keys.restricted);
    await expect(rk.subscriptions.list({ status: 'all' })).resolves.toBeDefined();
    await expect(rk.events.list()).resolves.toBeDefined();
  });
});

describe('invalid requests (400/404)', () => {
  const invalid = async (p: Promise<unknown>) => {
    const err = await caught(p);
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    return err;
  };

  it.each([
    [0, 'This value must be greater than or equal to 1.'],
    [101, 'This value must be less than or equal to 100.'],
  ])('limit %i', async (limit, message) => {
    const err = await invalid(stripe.charges.list({ limit }));
    expect(err.statusCode).toBe(400);
    expect(err.param).toBe('limit');
    expect(err.message).toBe(message);
  });

  it('a non-integer limit', async () => {
    const res = await rawGet(`${emu.url}/v1/charges?limit=abc`, bearer(acct.keys.secret));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({
      error: { type: 'invalid_request_error', param: 'limit', message: 'Invalid integer: abc' },
    });
  });

  it('starting_after and ending_before together', async () => {
    const [c] = (await stripe.charges.list({ limit: 1 })).data;
    const err = await invalid(stripe.charges.list({ starting_after: c.id, ending_before: c.id }));
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe('You may only specify one of these parameters: ending_before, starting_after.');
  });

  it('an unknown starting_after id is resource_missing', async () => {
    const err = await invalid(stripe.charges.list({ starting_after: 'ch_doesnotexist' }));
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe('resource_missing');
    expect(err.param).toBe('starting_after');
    expect(err.message).toBe("No such charge: 'ch_doesnotexist'");
  });

  it('an unknown ending_before id is resource_missing', async () => {
    const err = await invalid(stripe.subscriptions.list({ ending_before: 'sub_nope' }));
    expect(err.code).toBe('resource_missing');
    expect(err.param).toBe('ending_before');
  });

  it('an unknown parameter', async () => {
    const err = await invalid(stripe.charges.list({ foo: 'bar' } as Stripe.ChargeListParams));
    expect(err.statusCode).toBe(400);
    expect(err.param).toBe('foo');
    expect(err.message).toBe('Received unknown parameter: foo');
  });

  it('a bad created value and an unknown created operator', async () => {
    const bad = await rawGet(`${emu.url}/v1/charges?created[gte]=yesterday`, bearer(acct.keys.secret));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({
      error: { param: 'created[gte]', message: 'Invalid integer: yesterday' },
    });
    const op = await rawGet(`${emu.url}/v1/charges?created[after]=1`, bearer(acct.keys.secret));
    expect(op.status).toBe(400);
    expect(JSON.parse(op.body)).toMatchObject({
      error: { param: 'created[after]', message: 'Received unknown parameter: created[after]' },
    });
  });

  it('an invalid subscription status', async () => {
    const err = await invalid(
      stripe.subscriptions.list({ status: 'bogus' as Stripe.SubscriptionListParams.Status }),
    );
    expect(err.param).toBe('status');
  });

  it('retrieving an unknown id is a 404 resource_missing', async () => {
    const err = await invalid(stripe.subscriptions.retrieve('sub_missing'));
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('resource_missing');
    expect(err.param).toBe('id');
    expect(err.message).toBe("No such subscription: 'sub_missing'");
  });

  it('an unrecognized URL is a 404', async () => {
    const res = await rawGet(`${emu.url}/v1/widgets`, bearer(acct.keys.secret));
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body).error.message).toBe(
      'Unrecognized request URL (GET: /v1/widgets). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.',
    );
  });
});
