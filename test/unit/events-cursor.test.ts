import fc from 'fast-check';
import {
  advanceCursor,
  EVENT_RETENTION_SECONDS,
  EVENTS_OVERLAP_SECONDS,
  EVENTS_SAFETY_LAG_SECONDS,
  eventsWindow,
  MAX_RECENT_IDS,
  parseEventsCursor,
  snapshotReason,
  type EventsCursor,
} from '../../common/events-cursor';
import { changeKindOf } from '../../activities/fetch-changes';
import {
  buildChangeMessages,
  CHANGES_SCHEMA_VERSION,
  type Change,
  type ChangesContext,
} from '../../common/envelope';
import { RESOURCES } from '../../stripe/resources';

const NOW = 1_790_000_000;
const cursor = (upTo: number, recentIds: string[] = []): EventsCursor => ({
  upTo,
  recentIds,
  savedAt: '',
  savedBy: '',
});

describe('the events window', () => {
  it('re-reads the previous window’s last minutes and stops short of now', () => {
    expect(eventsWindow(cursor(NOW - 3600), NOW)).toEqual({
      gte: NOW - 3600 - EVENTS_OVERLAP_SECONDS,
      lt: NOW - EVENTS_SAFETY_LAG_SECONDS,
    });
  });

  it('never moves backwards, even when the clock is behind the cursor', () => {
    expect(eventsWindow(cursor(NOW), NOW - 100).lt).toBe(NOW);
  });

  it('consecutive windows cover every second once at least, with no gap (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 * 86400 }), { minLength: 1, maxLength: 20 }),
        (gaps) => {
          let c = cursor(NOW);
          let now = NOW;
          for (const gap of gaps) {
            now += gap;
            const w = eventsWindow(c, now);
            // the new window starts at or before where the last one ended: no second is skipped
            expect(w.gte).toBeLessThanOrEqual(c.upTo);
            c = advanceCursor(w, [], { at: '', by: '' });
          }
        },
      ),
    );
  });
});

describe('when a run must read everything', () => {
  it('the first run, a requested snapshot, and a cursor Stripe’s retention has passed', () => {
    expect(snapshotReason(undefined, NOW)).toMatch(/first run/);
    expect(snapshotReason({ cursor: cursor(NOW - 60), snapshotRequested: 'asked for' }, NOW)).toBe(
      'asked for',
    );
    expect(snapshotReason({ cursor: cursor(NOW - 31 * 86400) }, NOW)).toMatch(
      /31 days old and Stripe keeps events for 30 days: a full snapshot/,
    );
  });

  it('follows a cursor well inside the retention, and gives up before its very edge', () => {
    expect(snapshotReason({ cursor: cursor(NOW - 29 * 86400) }, NOW)).toBeUndefined();
    expect(snapshotReason({ cursor: cursor(NOW - EVENT_RETENTION_SECONDS + 60) }, NOW)).toBeDefined();
  });
});

describe('advancing the cursor', () => {
  const window = { gte: NOW - 4000, lt: NOW };

  it('carries the ids delivered in the window’s last overlap, newest first', () => {
    const next = advanceCursor(
      window,
      [
        { id: 'evt_old', created: NOW - EVENTS_OVERLAP_SECONDS - 1 },
        { id: 'evt_a', created: NOW - EVENTS_OVERLAP_SECONDS },
        { id: 'evt_b', created: NOW - 1 },
      ],
      { at: 'now', by: 'run' },
    );
    expect(next).toEqual({ upTo: NOW, recentIds: ['evt_b', 'evt_a'], savedAt: 'now', savedBy: 'run' });
  });

  it('keeps the carried ids bounded', () => {
    const many = Array.from({ length: MAX_RECENT_IDS + 500 }, (_, i) => ({
      id: `evt_${i}`,
      created: NOW - 1,
    }));
    expect(advanceCursor(window, many, { at: '', by: '' }).recentIds).toHaveLength(MAX_RECENT_IDS);
  });
});

describe('a cursor sent by signal', () => {
  it('is taken only when well formed', () => {
    expect(parseEventsCursor({ upTo: NOW, recentIds: ['evt_1'], savedAt: 'x', savedBy: 'y' })).toEqual({
      ...cursor(NOW, ['evt_1']),
      savedAt: 'x',
      savedBy: 'y',
    });
    for (const bad of [
      null,
      'x',
      {},
      { upTo: 1e14 },
      { upTo: NOW + 0.5 },
      { upTo: NOW, recentIds: ['not an id'] },
    ])
      expect(parseEventsCursor(bad)).toBeUndefined();
  });
});

describe('change kinds and change messages', () => {
  it('reads the kind from the registry’s event types', () => {
    expect(changeKindOf(RESOURCES.products, 'product.deleted')).toBe('deleted');
    expect(changeKindOf(RESOURCES.products, 'product.created')).toBe('created');
    expect(changeKindOf(RESOURCES.products, 'product.updated')).toBe('updated');
    // a canceled subscription is still listed: an update, not a tombstone
    expect(changeKindOf(RESOURCES.subscriptions, 'customer.subscription.deleted')).toBe('updated');
  });

  it('are schema 2, say they carry changes, and split like snapshot pages', () => {
    const context: ChangesContext = {
      interaction: { id: 'acme-products', name: 'Acme products', resource: 'products' },
      run: { kind: 'scheduled', workflowId: 'w', runId: 'r' },
      window: { createdGte: 1, createdLt: 2 },
      page: { index: 0, changeCount: 40 },
      fetchedAt: '2026-11-25T00:00:00.000Z',
      livemode: false,
    };
    const changes: Change[] = Array.from({ length: 40 }, (_, i) => ({
      kind: i % 2 ? 'updated' : 'deleted',
      eventId: `evt_${i}`,
      eventType: i % 2 ? 'product.updated' : 'product.deleted',
      eventCreated: 1,
      apiVersion: '2024-06-20',
      object: { id: `prod_${i}`, object: 'product', pad: 'x'.repeat(10_000) },
    }));
    const messages = buildChangeMessages(context, changes, 'k', 100_000);
    expect(messages.length).toBeGreaterThan(1);
    const bodies = messages.map((m) => JSON.parse(m.body));
    for (const b of bodies)
      expect(b).toMatchObject({ schemaVersion: CHANGES_SCHEMA_VERSION, content: 'changes', ...context });
    expect(bodies.flatMap((b) => b.changes.map((c: Change) => c.eventId))).toEqual(
      changes.map((c) => c.eventId),
    );
    expect(buildChangeMessages(context, changes, 'k', 100_000).map((m) => m.dedupId)).toEqual(
      messages.map((m) => m.dedupId),
    );
  });
});
