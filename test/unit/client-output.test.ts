import type { ScheduleDescription } from '@temporalio/client';
import {
  failureMessage,
  interactionFromDescription,
  toInteractionView,
  type InteractionView,
} from '../../client/interaction-view';
import {
  NO_INTERACTIONS,
  formatBytes,
  formatCreated,
  formatDeleted,
  formatDuration,
  formatInteraction,
  formatInteractionList,
  formatRunResult,
  formatSyncNow,
  formatTime,
  formatUpdated,
  toJson,
} from '../../client/output';
import type { Interaction } from '../../common/interaction';
import type { SyncSummary } from '../../workflows/definitions';

const KEY = 'rk_test_51AbCdEfGhIjKlMnOpQrStUvWxYz0123';
const interaction: Interaction = {
  id: 'acme-charges',
  name: 'Acme charges',
  resource: 'charges',
  frequency: 'daily',
  stripeKey: KEY,
  pageSize: 100,
  queueUrl: 'http://127.0.0.1:9324/000000000000/compound-extraction',
  timezone: 'America/New_York',
};

type Desc = Pick<ScheduleDescription, 'scheduleId' | 'action' | 'memo' | 'state' | 'info'>;
function description(over: Partial<Desc> = {}): Desc {
  return {
    scheduleId: 'interaction-acme-charges',
    action: {
      type: 'startWorkflow',
      workflowType: 'syncInteraction',
      workflowId: 'sync-acme-charges',
      taskQueue: 'compound',
      args: [{ interactionId: 'acme-charges', interaction }],
    },
    memo: {
      interaction: {
        id: 'acme-charges',
        name: 'Acme charges',
        resource: 'charges',
        registeredAt: '2025-01-01T12:00:00.000Z',
      },
    },
    state: { paused: false },
    info: {
      recentActions: [],
      nextActionTimes: [new Date('2025-01-02T05:00:00Z'), new Date('2025-01-03T05:00:00Z')],
      numActionsTaken: 0,
      numActionsMissedCatchupWindow: 0,
      numActionsSkippedOverlap: 0,
      createdAt: new Date('2025-01-01T12:00:00Z'),
      lastUpdatedAt: undefined,
      runningActions: [],
    },
    ...over,
  };
}

const view = (): InteractionView =>
  toInteractionView(description(), interactionFromDescription(description()));

describe('interaction views', () => {
  it('read the interaction from the action args and mask the key', () => {
    expect(view()).toEqual({
      id: 'acme-charges',
      name: 'Acme charges',
      resource: 'charges',
      frequency: 'daily',
      mode: 'snapshot',
      budget: 'interaction-acme-charges',
      rateShare: 0.95,
      compression: 'none',
      timezone: 'America/New_York',
      pageSize: 100,
      queueUrl: interaction.queueUrl,
      stripeKey: 'rk_test_…0123',
      keyMode: 'test',
      keyKind: 'restricted',
      registeredAt: '2025-01-01T12:00:00.000Z',
      paused: false,
      nextRuns: ['2025-01-02T05:00:00.000Z', '2025-01-03T05:00:00.000Z'],
      running: [],
      scheduleId: 'interaction-acme-charges',
      backfillWorkflowId: 'backfill-acme-charges',
      taskQueue: 'compound',
    });
    expect(JSON.stringify(view())).not.toContain(KEY);
  });

  it('refuse a schedule without a valid interaction, without echoing its args', () => {
    const bad = description({
      action: {
        type: 'startWorkflow',
        workflowType: 'syncInteraction',
        workflowId: 'sync-acme-charges',
        taskQueue: 'compound',
        args: [{ interaction: { ...interaction, pageSize: 500 } }],
      },
    });
    expect(() => interactionFromDescription(bad)).toThrow(
      /does not hold a valid interaction: page size must be between 1 and 100/,
    );
    try {
      interactionFromDescription(bad);
    } catch (err) {
      expect((err as Error).message).not.toContain(KEY);
    }
  });

  it('failureMessage takes the innermost cause, masked', () => {
    const inner = new Error(`the key lacks Read permission on Charges (key ${KEY})`);
    const outer = new Error('Workflow execution failed', {
      cause: new Error('Activity task failed', { cause: inner }),
    });
    expect(failureMessage(outer)).toBe('the key lacks Read permission on Charges (key rk_test_…0123)');
  });
});

describe('formatting', () => {
  it('times in UTC or the interaction zone', () => {
    expect(formatTime('2025-01-02T05:00:00.000Z')).toBe('2025-01-02 05:00:00 UTC');
    expect(formatTime('2025-01-02T05:00:00.000Z', 'America/New_York')).toBe(
      '2025-01-02 00:00:00 America/New_York',
    );
    expect(formatTime(undefined)).toBe('-');
  });

  it('bytes and durations', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50.0 MiB');
    expect(formatDuration(4.25)).toBe('4.3 s');
    expect(formatDuration(125)).toBe('2 min 5 s');
    expect(formatDuration(3 * 3600 + 120)).toBe('3 h 2 min');
  });

  it('run results', () => {
    expect(formatRunResult(undefined)).toBe('never run');
    const run = {
      workflowId: 'sync-a-2025',
      runId: 'r',
      scheduledAt: '',
      startedAt: '',
      status: 'FAILED' as const,
      failure: 'the key is not valid',
    };
    expect(formatRunResult(run)).toBe('FAILED: the key is not valid');
  });

  it('list: a table with state, next run and last result; a hint when empty', () => {
    expect(formatInteractionList([])).toBe(NO_INTERACTIONS);
    const v = {
      ...view(),
      paused: true,
      lastRun: {
        workflowId: 'w',
        runId: 'r',
        scheduledAt: '',
        startedAt: '2025-01-01T05:00:00Z',
        status: 'FAILED' as const,
        failure: `bad ${KEY}`,
      },
    };
    const text = formatInteractionList([
      v,
      { id: 'broken', scheduleId: 'interaction-broken', problem: 'unknown key "k1"' },
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+RESOURCE\s+FREQUENCY\s+STATE\s+NEXT RUN\s+LAST RUN\s+RESULT$/);
    expect(lines[1]).toMatch(
      /^acme-charges\s+Acme charges\s+charges\s+daily\s+paused\s+2025-01-02 05:00:00 UTC\s+2025-01-01 05:00:00 UTC\s+FAILED: bad rk_test_…0123$/,
    );
    expect(lines[2]).toMatch(/^broken .*unreadable .*cannot read the schedule: unknown key "k1"$/);
    expect(text).not.toContain(KEY);
  });

  it('show: every setting, the key masked', () => {
    const text = formatInteraction(view());
    expect(text).toMatch(/stripe key:\s+rk_test_…0123 \(test mode, restricted key\)/);
    expect(text).toMatch(/frequency:\s+daily: every day at 00:00 \(America\/New_York\)/);
    expect(text).toMatch(
      /next runs:\s+2025-01-02 00:00:00 America\/New_York, 2025-01-03 00:00:00 America\/New_York/,
    );
    expect(text).toMatch(/last run:\s+never run/);
    expect(text).toMatch(/rate share:\s+95 % of the account's limit: 23.75 req\/s \(Stripe: 25 req\/s\)/);
    expect(text).toMatch(/messages:\s+JSON\n/);
    expect(formatInteraction({ ...view(), compression: 'gzip' })).toMatch(
      /messages:\s+gzip-compressed JSON in base64 \(attribute compound-content-encoding=gzip\)/,
    );
    expect(text).not.toContain(KEY);
  });

  it('created, deleted', () => {
    const text = formatCreated({
      interaction: view(),
      key: { masked: 'rk_test_…0123', mode: 'test', kind: 'restricted', warnings: [] },
    });
    expect(text).toContain('Created interaction acme-charges ("Acme charges")');
    expect(text).toContain('Stripe key rk_test_…0123 works (test mode, restricted key)');
    expect(formatDeleted({ id: 'a', scheduleDeleted: true, backfill: 'cancelled', cancelledSyncs: [] })).toBe(
      'Deleted interaction a: schedule removed, its backfill workflow was cancelled.',
    );
  });

  it('updated: names the changed settings', () => {
    const text = formatUpdated({
      interaction: view(),
      changed: ['frequency', 'stripeKey', 'pageSize'],
      key: { masked: 'sk_test_…9876', mode: 'test', kind: 'secret', warnings: ['w'] },
    });
    expect(text).toMatch(/^Updated acme-charges: frequency, Stripe key, page size\.$/m);
    expect(text).toContain('Stripe key sk_test_…9876 works (test mode, secret key)');
    expect(text).toContain('next run 2025-01-02 00:00:00 America/New_York');
    expect(formatUpdated({ interaction: view(), changed: [] })).toMatch(/nothing changed/);
  });

  it('sync-now: the run summary', () => {
    const summary: SyncSummary = {
      interactionId: 'a',
      kind: 'scheduled',
      range: { gte: 0, lt: 1 },
      pages: 3,
      objects: 250,
      bytes: 2048,
      messages: 3,
      requests: 4,
      rateLimited: 1,
      startedAt: '',
      finishedAt: '',
      durationSeconds: 2.5,
      objectsPerSecond: 100,
      slices: 4,
      continuedAsNew: 0,
    };
    const text = formatSyncNow({ id: 'a', workflowId: 'sync-a-1', runId: 'r', started: true, summary });
    expect(text).toContain('Started sync sync-a-1 of a.');
    expect(text).toMatch(/objects:\s+250/);
    expect(text).toMatch(/pages:\s+3/);
    expect(text).toMatch(/bytes:\s+2.00 KiB/);
    expect(text).toMatch(/requests:\s+4/);
    expect(text).toMatch(/429s:\s+1/);
    expect(text).toMatch(/duration:\s+2.5 s/);
    expect(formatSyncNow({ id: 'a', workflowId: 'w', runId: 'r', started: false })).toMatch(
      /already running/,
    );
  });

  it('--json masks anything key-shaped as a last line of defence', () => {
    expect(toJson({ k: KEY })).toBe('{\n  "k": "rk_test_…0123"\n}');
  });
});
