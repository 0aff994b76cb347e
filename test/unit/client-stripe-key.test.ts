import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../client/errors';
import {
  PLAIN_KEY_REFUSED,
  checkStripeKey,
  keySourceCount,
  readStripeKey,
  type KeyReadContext,
} from '../../client/stripe-key';
import { emptyList, startFakeStripe, stripeError, type FakeStripe } from '../support/fake-stripe';

const RK = 'rk_test_51AbCdEfGhIjKlMnOpQrStUvWxYz0123';
const SK = 'sk_test_51ZyXwVuTsRqPoNmLkJiHgFeDcBa9876';

const ctx = (env: Record<string, string> = {}, stdin = ''): KeyReadContext => ({
  env,
  readStdin: async () => stdin,
});

async function usageMessage(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('readStripeKey', () => {
  it('refuses a key given as the value of --stripe-key, explaining why, without echoing it', async () => {
    const message = await usageMessage(readStripeKey({ stripeKey: RK }, ctx()));
    expect(message).toBe(PLAIN_KEY_REFUSED);
    expect(message).toMatch(/shell history/);
    expect(message).toMatch(/ps/);
    expect(message).not.toContain(RK.slice(8));
  });

  it('refuses a plain key even when another source is given too', async () => {
    await expect(readStripeKey({ stripeKey: RK, stripeKeyEnv: 'K' }, ctx({ K: RK }))).rejects.toThrow(
      PLAIN_KEY_REFUSED,
    );
  });

  it('reads from an environment variable, trimmed', async () => {
    expect(await readStripeKey({ stripeKeyEnv: 'STRIPE_KEY' }, ctx({ STRIPE_KEY: ` ${RK}\n` }))).toBe(RK);
  });

  it('names a missing or empty environment variable', async () => {
    expect(await usageMessage(readStripeKey({ stripeKeyEnv: 'NOPE' }, ctx()))).toMatch(
      /NOPE is not set or empty/,
    );
    expect(await usageMessage(readStripeKey({ stripeKeyEnv: 'E' }, ctx({ E: '  ' })))).toMatch(
      /E is not set or empty/,
    );
  });

  it('reads from a file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'compound-key-')), 'key');
    writeFileSync(file, `${RK}\n`);
    expect(await readStripeKey({ stripeKeyFile: file }, ctx())).toBe(RK);
    expect(await usageMessage(readStripeKey({ stripeKeyFile: `${file}.missing` }, ctx()))).toMatch(
      /cannot read .*ENOENT/,
    );
  });

  it('reads from stdin with "-"', async () => {
    expect(await readStripeKey({ stripeKey: '-' }, ctx({}, `${SK}\n`))).toBe(SK);
    expect(await usageMessage(readStripeKey({ stripeKey: '-' }, ctx({}, '\n')))).toMatch(/empty/);
  });

  it('wants one source at most; none is undefined (update without rotation)', async () => {
    expect(await usageMessage(readStripeKey({ stripeKeyEnv: 'A', stripeKey: '-' }, ctx({ A: RK })))).toMatch(
      /one way only/,
    );
    expect(await readStripeKey({}, ctx())).toBeUndefined();
    expect(keySourceCount({ stripeKeyEnv: 'A', stripeKeyFile: 'f' })).toBe(2);
  });
});

describe('checkStripeKey', () => {
  let stripe: FakeStripe | undefined;
  afterEach(async () => {
    await stripe?.close();
    stripe = undefined;
  });

  it('makes one list call with limit=1 on the resource (status=all for subscriptions), then asks for the account', async () => {
    stripe = await startFakeStripe((req) => emptyList(req.url ?? ''));
    const check = await checkStripeKey({
      stripeKey: RK,
      resource: 'subscriptions',
      stripeApiBase: stripe.url,
      timeoutMs: 5000,
    });
    expect(stripe.requests.map((r) => r.url?.split('?')[0])).toEqual(['/v1/subscriptions', '/v1/account']);
    const url = new URL(stripe.requests[0].url, stripe.url);
    expect(url.pathname).toBe('/v1/subscriptions');
    expect(url.searchParams.get('limit')).toBe('1');
    expect(url.searchParams.get('status')).toBe('all');
    // The created filter a sync sends: a server that refuses it is caught here.
    expect(Number(url.searchParams.get('created[gte]'))).toBe(1262304000);
    expect(Number(url.searchParams.get('created[lt]'))).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(stripe.requests[0].authorization).toBe(`Bearer ${RK}`);
    expect(check).toEqual({ masked: 'rk_test_…0123', mode: 'test', kind: 'restricted', warnings: [] });
  });

  it('accepts a full secret key with a warning recommending a restricted one', async () => {
    stripe = await startFakeStripe((req) => emptyList(req.url ?? ''));
    const check = await checkStripeKey({
      stripeKey: SK,
      resource: 'charges',
      stripeApiBase: stripe.url,
      timeoutMs: 5000,
    });
    expect(check.kind).toBe('secret');
    expect(check.warnings).toHaveLength(1);
    expect(check.warnings[0]).toMatch(/full secret key/);
    expect(check.warnings[0]).toMatch(/restricted key with Read on Charges/);
    expect(check.warnings[0]).not.toContain(SK);
  });

  it('reads live mode from the prefix', async () => {
    stripe = await startFakeStripe((req) => emptyList(req.url ?? ''));
    const live = 'rk_live_51AbCdEfGhIjKlMnOpQrStUvWxYz4567';
    expect(
      (
        await checkStripeKey({
          stripeKey: live,
          resource: 'charges',
          stripeApiBase: stripe.url,
          timeoutMs: 5000,
        })
      ).mode,
    ).toBe('live');
  });

  it("a refused list request (400) is the user's to fix, as the sync would treat it (UsageError)", async () => {
    stripe = await startFakeStripe(() =>
      stripeError(400, 'invalid_request_error', 'Received unknown parameter: created'),
    );
    const err = await checkStripeKey({
      stripeKey: RK,
      resource: 'charges',
      stripeApiBase: stripe.url,
      timeoutMs: 5000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(
      /refused the list request a sync would send for charges .*unknown parameter: created/,
    );
  });

  it('401 → "the key is not valid" (UsageError), masked', async () => {
    stripe = await startFakeStripe(() =>
      stripeError(401, 'invalid_request_error', `Invalid API Key provided: ${RK.slice(0, 12)}****0123`),
    );
    const message = await usageMessage(
      checkStripeKey({ stripeKey: RK, resource: 'charges', stripeApiBase: stripe.url, timeoutMs: 5000 }),
    );
    expect(message).toMatch(/the key is not valid/);
    expect(message).toContain('rk_test_…0123');
    expect(message).not.toContain(RK);
  });

  it('403 → the permission hint for the resource (UsageError)', async () => {
    stripe = await startFakeStripe(() =>
      stripeError(
        403,
        'invalid_request_error',
        "The provided key does not have the required permissions. Having the 'rak_subscription_read' permission would allow this request to continue.",
      ),
    );
    const message = await usageMessage(
      checkStripeKey({
        stripeKey: RK,
        resource: 'subscriptions',
        stripeApiBase: stripe.url,
        timeoutMs: 5000,
      }),
    );
    expect(message).toContain(
      'the key lacks Read permission on Subscriptions (rak_subscription_read): edit the restricted key in the Stripe dashboard and grant Read for Subscriptions',
    );
  });

  it('an unreachable API is a plain failure naming the API base', async () => {
    stripe = await startFakeStripe(() => emptyList(''));
    const url = stripe.url;
    await stripe.close();
    stripe = undefined;
    const err = (await checkStripeKey({
      stripeKey: RK,
      resource: 'charges',
      stripeApiBase: url,
      timeoutMs: 5000,
    }).catch((e: unknown) => e)) as Error;
    expect(err).not.toBeInstanceOf(UsageError);
    expect(err.message).toContain(`cannot reach the Stripe API at ${url}`);
  });

  it('a Stripe 5xx is a plain failure', async () => {
    stripe = await startFakeStripe(() => stripeError(500, 'api_error', 'boom'));
    const err = (await checkStripeKey({
      stripeKey: RK,
      resource: 'charges',
      stripeApiBase: stripe.url,
      timeoutMs: 5000,
    }).catch((e: unknown) => e)) as Error;
    expect(err).not.toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/HTTP 500.*boom/);
  });

  it('waits out 429s (the account may be syncing) and only then gives up', async () => {
    let answered = 0;
    stripe = await startFakeStripe((req) =>
      ++answered <= 2 ? stripeError(429, 'invalid_request_error', 'Rate limited') : emptyList(req.url ?? ''),
    );
    const check = await checkStripeKey({
      stripeKey: RK,
      resource: 'charges',
      stripeApiBase: stripe.url,
      timeoutMs: 5000,
    });
    expect(check.masked).toMatch(/^rk_test_…/);
    expect(stripe.requests.length).toBeGreaterThanOrEqual(3);
    await stripe.close();

    stripe = await startFakeStripe(() => stripeError(429, 'invalid_request_error', 'Rate limited'));
    const err = (await checkStripeKey({
      stripeKey: RK,
      resource: 'charges',
      stripeApiBase: stripe.url,
      timeoutMs: 5000,
    }).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/HTTP 429.*try again/);
    expect(stripe.requests).toHaveLength(5);
  }, 30000);
});
