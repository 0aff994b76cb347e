import { UsageError } from '../../client/errors';
import { parsePageSize, parseRateShare } from '../../client/interaction-options';
import {
  formatIssues,
  parseInteractionInput,
  resolveInteractionId,
  unknownInteraction,
  type CreateInteractionInput,
} from '../../client/interactions';
import { interactionSchema } from '../../common/interaction';

const KEY = 'rk_test_51AbCdEfGhIjKlMnOpQrStUvWxYz0123';
const config = { queueUrl: 'http://127.0.0.1:9324/000000000000/compound-extraction' };
const base: CreateInteractionInput = {
  name: 'Acme charges',
  resource: 'charges',
  frequency: 'hourly',
  stripeKey: KEY,
};

function usage(input: Partial<CreateInteractionInput>): string {
  try {
    parseInteractionInput({ ...base, ...input }, config);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as Error).message;
    expect(message).not.toContain(KEY);
    return message;
  }
  throw new Error('expected a UsageError');
}

/** A valid stored interaction, for checks of one field at a time. */
const stored = {
  id: 'a',
  name: 'a',
  resource: 'charges',
  frequency: 'daily',
  stripeKey: 'rk_test_abcdefgh1234',
  queueUrl: 'http://q.example/1/q',
};

describe('parseInteractionInput', () => {
  it('fills the defaults: id from the name, page size 100, UTC, the configured queue', () => {
    expect(parseInteractionInput(base, config)).toEqual({
      id: 'acme-charges',
      name: 'Acme charges',
      resource: 'charges',
      frequency: 'hourly',
      mode: 'incremental',
      stripeKey: KEY,
      pageSize: 100,
      queueUrl: config.queueUrl,
      timezone: 'UTC',
    });
  });

  it('keeps the given options', () => {
    const i = parseInteractionInput(
      {
        ...base,
        pageSize: 25,
        queueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/q',
        stripeApiBase: 'http://127.0.0.1:12011',
        timezone: 'Asia/Kolkata',
      },
      config,
    );
    expect(i).toMatchObject({
      pageSize: 25,
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/q',
      stripeApiBase: 'http://127.0.0.1:12011',
      timezone: 'Asia/Kolkata',
    });
  });

  it.each([
    [
      { resource: 'invoice' },
      /unknown resource "invoice"; did you mean invoices or invoiceitems\? \(`compound resources` lists all \d+\)/,
    ],
    [{ frequency: 'weekly' }, /frequency must be one of: hourly, daily, monthly/],
    [
      { resource: 'subscriptions', frequency: 'hourly' },
      /subscriptions can be synced daily or monthly, not hourly/,
    ],
    [{ pageSize: 0 }, /page size must be between 1 and 100/],
    [{ pageSize: 101 }, /page size must be between 1 and 100/],
    [{ pageSize: 2.5 }, /whole number/],
    [{ timezone: 'Mars/Olympus' }, /IANA time zone/],
    [{ queueUrl: 'not a url' }, /queue URL must be a URL/],
    [{ stripeKey: 'pk_test_abcdefghijkl' }, /must look like rk_test_/],
    [{ name: '   ' }, /name must not be empty/],
    [{ name: '!!!' }, /at least one letter or digit/],
  ])('%j is refused', (input, message) => {
    expect(usage(input as Partial<CreateInteractionInput>)).toMatch(message);
  });

  it('never echoes a malformed key', () => {
    expect(usage({ stripeKey: 'sk_test_short' })).not.toContain('sk_test_short');
  });
});

describe('formatIssues', () => {
  it('joins distinct messages', () => {
    const r = interactionSchema.safeParse({
      id: 'x',
      name: 'x',
      resource: 'subscriptions',
      frequency: 'hourly',
      stripeKey: KEY,
      pageSize: 0,
      queueUrl: 'http://q',
    });
    expect(r.success).toBe(false);
    if (!r.success)
      expect(formatIssues(r.error)).toBe(
        'page size must be between 1 and 100; subscriptions can be synced daily or monthly, not hourly',
      );
  });
});

describe('resolveInteractionId', () => {
  it('takes an id as is and slugifies a name', () => {
    expect(resolveInteractionId('acme-charges')).toBe('acme-charges');
    expect(resolveInteractionId('Acme charges')).toBe('acme-charges');
  });
  it('words the unknown-id error', () => {
    expect(unknownInteraction('nope').message).toBe(
      'no interaction named nope; see `compound interactions list`',
    );
  });
});

describe('parsePageSize', () => {
  it('parses whole numbers and leaves the range to the schema', () => {
    expect(parsePageSize(undefined)).toBeUndefined();
    expect(parsePageSize('50')).toBe(50);
    expect(parsePageSize('0')).toBe(0);
  });
  it('refuses anything else', () => {
    expect(() => parsePageSize('abc')).toThrow(UsageError);
    expect(() => parsePageSize('1e2')).toThrow(/whole number between 1 and 100/);
    expect(() => parsePageSize('-5')).toThrow(UsageError);
  });
});

describe('parseRateShare', () => {
  it('takes a fraction or a percentage and leaves the range to the schema', () => {
    expect(parseRateShare(undefined)).toBeUndefined();
    expect(parseRateShare('0.5')).toBe(0.5);
    expect(parseRateShare('.25')).toBe(0.25);
    expect(parseRateShare('50%')).toBe(0.5);
    expect(parseRateShare(' 100 % ')).toBe(1);
  });
  it('refuses anything else, and the schema refuses 0 and more than 1', () => {
    expect(() => parseRateShare('half')).toThrow(
      /--rate-share must be a share of Stripe's rate limit like 0.5 or 50%/,
    );
    expect(() => parseRateShare('-0.5')).toThrow(UsageError);
    expect(interactionSchema.safeParse({ ...stored, rateShare: 0.5 }).success).toBe(true);
    expect(interactionSchema.safeParse({ ...stored, rateShare: 0 }).error?.issues[0].message).toMatch(
      /above 0/,
    );
    expect(interactionSchema.safeParse({ ...stored, rateShare: 1.5 }).error?.issues[0].message).toMatch(
      /at most 1/,
    );
  });

  it('compression is none or gzip, and says so', () => {
    expect(interactionSchema.parse({ ...stored, compression: 'gzip' }).compression).toBe('gzip');
    expect(interactionSchema.parse(stored).compression).toBeUndefined();
    expect(interactionSchema.safeParse({ ...stored, compression: 'zip' }).error?.issues[0].message).toBe(
      'compression must be one of: none, gzip',
    );
  });
});
