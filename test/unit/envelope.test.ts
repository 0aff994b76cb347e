import { randomBytes } from 'node:crypto';
import {
  buildMessages,
  CONTENT_ENCODING_ATTRIBUTE,
  decodeMessageBody,
  ObjectTooLargeError,
  SCHEMA_VERSION,
  type EnvelopeContext,
} from '../../common/envelope';

const context: EnvelopeContext = {
  interaction: { id: 'acme-charges', name: 'Acme charges', resource: 'charges' },
  run: { kind: 'scheduled', workflowId: 'sync-acme-charges-2026', runId: 'run-1' },
  page: {
    slice: { id: 2, createdGte: 100, createdLt: 200 },
    index: 3,
    startingAfter: 'ch_prev',
    objectCount: 0,
  },
  fetchedAt: '2026-11-24T00:00:00.000Z',
  livemode: false,
};

const objects = (n: number, size: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `ch_${String(i).padStart(6, '0')}`,
    object: 'charge',
    pad: 'x'.repeat(size),
  }));

describe('SQS envelope', () => {
  it('puts a small page in one message with every field of the documented envelope', () => {
    const page = objects(3, 10);
    const pageContext = { ...context, page: { ...context.page, objectCount: 3 } };
    const [message, ...rest] = buildMessages(pageContext, page, 'k', 1024 * 1024);
    expect(rest).toHaveLength(0);
    const body = JSON.parse(message.body);
    expect(body).toMatchObject({
      schemaVersion: SCHEMA_VERSION,
      part: 1,
      parts: 1,
      dedupId: message.dedupId,
      ...pageContext,
    });
    expect(body.objects.map((o: { id: string }) => o.id)).toEqual(page.map((o) => o.id));
    expect(message.bytes).toBe(Buffer.byteLength(message.body));
  });

  it('splits a page so every message fits the queue limit, keeping every object once and in order', () => {
    const limit = 256 * 1024;
    const page = objects(100, 9000); // ~900 KB
    const messages = buildMessages(context, page, 'k', limit);
    expect(messages.length).toBeGreaterThan(3);
    const bodies = messages.map((m) => JSON.parse(m.body));
    for (const m of messages) expect(m.bytes + 1024).toBeLessThanOrEqual(limit);
    expect(bodies.map((b) => [b.part, b.parts])).toEqual(messages.map((_, i) => [i + 1, messages.length]));
    expect(bodies.flatMap((b) => b.objects.map((o: { id: string }) => o.id))).toEqual(page.map((o) => o.id));
    expect(new Set(messages.map((m) => m.dedupId)).size).toBe(messages.length);
  });

  it('counts each message in UTF-8 bytes, multi-byte characters included', () => {
    const page = objects(40, 3000).map((o, i) => ({ ...o, name: i % 3 ? 'Zoë Ødegård 東京 💳' : 'plain' }));
    const messages = buildMessages(context, page, 'k', 64 * 1024);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(m.bytes).toBe(Buffer.byteLength(m.body));
  });

  it('is deterministic: the same page gives byte-identical messages and ids; another page other ids', () => {
    const page = objects(50, 5000);
    const a = buildMessages(context, page, 'wf|run|7', 100 * 1024);
    const b = buildMessages(context, structuredClone(page), 'wf|run|7', 100 * 1024);
    expect(b).toEqual(a);
    const c = buildMessages(context, page, 'wf|run|8', 100 * 1024);
    expect(c.map((m) => m.dedupId)).not.toEqual(a.map((m) => m.dedupId));
  });

  it('names the object that cannot fit in any message', () => {
    const page = [...objects(2, 10), { id: 'ch_huge', pad: 'y'.repeat(300 * 1024) }];
    expect(() => buildMessages(context, page, 'k', 256 * 1024)).toThrow(ObjectTooLargeError);
    expect(() => buildMessages(context, page, 'k', 256 * 1024)).toThrow(/ch_huge/);
  });
});

/** Printable characters JSON keeps as they are, at random: gzip cannot shrink them enough to pay for base64. */
const noise = (length: number) =>
  [...randomBytes(length)]
    .map(
      (b) =>
        '!#$%&()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~'[b % 91],
    )
    .join('');

describe('gzip-compressed messages', () => {
  // Like Stripe's objects: the same keys on every object, values that repeat.
  const charges = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      id: `ch_3Q${String(i).padStart(22, '0')}`,
      object: 'charge',
      amount: 1000 + i,
      currency: 'usd',
      status: 'succeeded',
      billing_details: { address: { city: null, country: 'US', line1: null }, email: null, name: null },
      payment_method_details: { card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2030 } },
      metadata: { order: `order_${i}` },
    }));

  it('decode to the very envelope a plain message carries, with the same dedup ids, much smaller', () => {
    const page = charges(100);
    const plain = buildMessages(context, page, 'wf|run|7', 256 * 1024);
    const gzipped = buildMessages(context, page, 'wf|run|7', 256 * 1024, 'gzip');
    expect(gzipped.map((m) => m.dedupId)).toEqual(plain.map((m) => m.dedupId));
    expect(gzipped.map((m) => m.encoding)).toEqual(plain.map(() => 'gzip'));
    expect(gzipped.map((m) => decodeMessageBody(m.body, m.encoding))).toEqual(plain.map((m) => m.body));
    const bytes = (ms: { bytes: number }[]) => ms.reduce((n, m) => n + m.bytes, 0);
    expect(bytes(gzipped) * 4).toBeLessThan(bytes(plain));
    expect(plain.every((m) => m.encoding === undefined)).toBe(true);
  });

  it('a part that does not shrink (random content grows by base64) is cut again until every message fits', () => {
    const limit = 64 * 1024;
    const page = Array.from({ length: 40 }, (_, i) => ({ id: `ch_${i}`, noise: noise(3000) }));
    const plainParts = buildMessages(context, page, 'k', limit).length;
    const gzipped = buildMessages(context, page, 'k', limit, 'gzip');
    expect(gzipped.length).toBeGreaterThan(plainParts);
    for (const m of gzipped) expect(m.bytes + 1024).toBeLessThanOrEqual(limit);
    const bodies = gzipped.map((m) => JSON.parse(decodeMessageBody(m.body, m.encoding)));
    expect(bodies.flatMap((b) => b.objects.map((o: { id: string }) => o.id))).toEqual(page.map((o) => o.id));
    expect(bodies.map((b) => [b.part, b.parts])).toEqual(gzipped.map((_, i) => [i + 1, gzipped.length]));
  });

  it('name an object whose compressed message still cannot fit', () => {
    const page = [...charges(2), { id: 'ch_noise', noise: noise(60 * 1024) }];
    expect(() => buildMessages(context, page, 'k', 64 * 1024, 'gzip')).toThrow(/ch_noise/);
  });

  it('a consumer is told what it cannot decode', () => {
    expect(() => decodeMessageBody('x', 'br')).toThrow(`unknown ${CONTENT_ENCODING_ATTRIBUTE} "br"`);
    expect(decodeMessageBody('{"a":1}', undefined)).toBe('{"a":1}');
  });
});
