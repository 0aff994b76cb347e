import { formatRetrying } from './retrying';
import { redactSecrets } from '../common/mask';
import type { SyncSummary } from '../workflows/definitions';
import type { InteractionView, RunView } from './interaction-view';
import type {
  CreatedInteraction,
  DeletedInteraction,
  ListedInteraction,
  SyncNowResult,
  UpdatedInteraction,
} from './interactions';
import { describeFrequency } from './schedule-spec';
import type { KeyCheck } from './stripe-key';
import { STRIPE_RATE_LIMITS } from '../stripe/rate-limits';

// Text the CLI prints. Pure functions from library results to strings, so they are unit-tested without
// Temporal; every string passes through redactSecrets on its way out as a last line of defence.

/** `--json`: the value and nothing else, for scripts. */
export function toJson(value: unknown): string {
  return redactSecrets(JSON.stringify(value, null, 2));
}

/** 2025-03-01 00:00:00 UTC, or in the given zone: 2025-03-01 00:00:00 America/New_York. */
export function formatTime(iso: string | undefined, timeZone = 'UTC'): string {
  if (!iso) return '-';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  // sv-SE formats as "YYYY-MM-DD HH:MM:SS", which sorts and reads well.
  return `${new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'medium' }).format(date)} ${timeZone}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m} min ${s} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "COMPLETED", or "FAILED: the key lacks Read permission …". */
export function formatRunResult(run: RunView | undefined): string {
  if (!run) return 'never run';
  if (run.retrying) return `${run.status}, ${formatRetrying(run.retrying)}`;
  return run.failure ? `${run.status}: ${run.failure}` : run.status;
}

export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  // The last column is not padded: it holds free text (failure messages) that may be long.
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export const NO_INTERACTIONS =
  'No interactions yet. Register one with:\n' +
  '  compound interactions create --name "Acme charges" --resource charges --frequency daily --stripe-key-env STRIPE_KEY';

export function formatInteractionList(list: ListedInteraction[]): string {
  if (list.length === 0) return NO_INTERACTIONS;
  const rows = list.map((i) => [
    i.id,
    i.name ?? '?',
    i.resource ?? '?',
    i.frequency ?? '?',
    i.problem ? 'unreadable' : i.paused ? 'paused' : 'active',
    i.problem ? '-' : formatTime(i.nextRuns?.[0]),
    i.problem ? '-' : formatTime(i.lastRun?.startedAt),
    i.problem ? `cannot read the schedule: ${i.problem}` : formatRunResult(i.lastRun),
  ]);
  return redactSecrets(
    formatTable(['ID', 'NAME', 'RESOURCE', 'FREQUENCY', 'STATE', 'NEXT RUN', 'LAST RUN', 'RESULT'], rows),
  );
}

function keyLine(v: Pick<InteractionView, 'stripeKey' | 'keyMode' | 'keyKind'>): string {
  return `${v.stripeKey} (${v.keyMode} mode, ${v.keyKind} key)`;
}

const MODE_LINES = {
  incremental: "a full snapshot first, then each run reads only the changes from Stripe's events",
  snapshot: 'every run reads every object',
} as const;

const budgetLine = (budget: string) =>
  budget.startsWith('acct_')
    ? `Stripe account ${budget} (shared with its other interactions, whatever their key)`
    : `this key only (${budget}): name the account with --account to share its budget`;

const rateShareLine = (v: Pick<InteractionView, 'rateShare' | 'keyMode'>) => {
  const { perEndpoint, live, test } = STRIPE_RATE_LIMITS;
  const perSecond = Math.round(perEndpoint * v.rateShare * 100) / 100;
  const limit =
    v.keyMode === 'live'
      ? `per endpoint (Stripe: ${perEndpoint} req/s each, ${live} per account)`
      : `(Stripe: ${test} req/s)`;
  return `${Math.round(v.rateShare * 1000) / 10} % of the account's limit: ${perSecond} req/s ${limit}, the rest left to its own integration`;
};

export function formatInteraction(v: InteractionView): string {
  const fields: [string, string][] = [
    ['id', v.id],
    ['name', v.name],
    ['resource', v.resource],
    ['frequency', `${v.frequency}: ${describeFrequency(v.frequency, v.timezone)}`],
    ['mode', MODE_LINES[v.mode]],
    ['rate budget', budgetLine(v.budget)],
    ['rate share', rateShareLine(v)],
    ['state', v.paused ? `paused${v.note ? ` (${v.note})` : ''}` : 'active'],
    ['stripe key', keyLine(v)],
    ['stripe api', v.stripeApiBase ?? 'https://api.stripe.com'],
    ['page size', String(v.pageSize)],
    ['queue', v.queueUrl],
    [
      'messages',
      v.compression === 'gzip'
        ? 'gzip-compressed JSON in base64 (attribute compound-content-encoding=gzip)'
        : 'JSON',
    ],
    ['task queue', v.taskQueue ?? '-'],
    ['schedule', v.scheduleId],
    ['backfill workflow', v.backfillWorkflowId],
    ['registered', formatTime(v.registeredAt)],
    ['next runs', v.nextRuns.length ? v.nextRuns.map((t) => formatTime(t, v.timezone)).join(', ') : '-'],
    ['running now', v.running.length ? v.running.join(', ') : '-'],
    [
      'last run',
      v.lastRun ? `${formatTime(v.lastRun.startedAt)}  ${formatRunResult(v.lastRun)}` : 'never run',
    ],
  ];
  const width = Math.max(...fields.map(([k]) => k.length));
  const lines = fields.map(([k, value]) => `${`${k}:`.padEnd(width + 1)}  ${value}`);
  if (v.recentRuns && v.recentRuns.length > 0) {
    lines.push('', 'recent runs (oldest first):');
    lines.push(
      formatTable(
        ['  STARTED', 'WORKFLOW', 'RESULT'],
        v.recentRuns.map((r) => [`  ${formatTime(r.startedAt)}`, r.workflowId, formatRunResult(r)]),
      ),
    );
  }
  return redactSecrets(lines.join('\n'));
}

export function formatKeyCheck(key: KeyCheck): string {
  return `Stripe key ${key.masked} works (${key.mode} mode, ${key.kind} key)`;
}

export function formatCreated(c: CreatedInteraction): string {
  const v = c.interaction;
  return redactSecrets(
    [
      `Created interaction ${v.id} ("${v.name}"): ${v.resource} ${v.frequency}, ${describeFrequency(v.frequency, v.timezone)}.`,
      `Mode ${v.mode}: ${MODE_LINES[v.mode]}.`,
      formatKeyCheck(c.key),
      `Schedule ${v.scheduleId}; next run ${formatTime(v.nextRuns[0], v.timezone)}.`,
      `Backfill workflow ${v.backfillWorkflowId} is waiting for a signal.`,
      `Run it now with: compound interactions sync-now ${v.id} --wait`,
    ].join('\n'),
  );
}

const SETTING_LABELS: Record<string, string> = {
  frequency: 'frequency',
  mode: 'mode',
  stripeKey: 'Stripe key',
  pageSize: 'page size',
  rateShare: 'rate share',
  compression: 'compression',
  queueUrl: 'queue URL',
  stripeApiBase: 'Stripe API base',
  timezone: 'time zone',
};

export function formatUpdated(u: UpdatedInteraction): string {
  const v = u.interaction;
  const changed = u.changed.map((k) => SETTING_LABELS[k] ?? k);
  const lines = [
    changed.length
      ? `Updated ${v.id}: ${changed.join(', ')}.`
      : `${v.id}: nothing changed (the values given are the current ones).`,
  ];
  if (u.key) lines.push(formatKeyCheck(u.key));
  lines.push(
    `frequency ${v.frequency}: ${describeFrequency(v.frequency, v.timezone)}; next run ${formatTime(v.nextRuns[0], v.timezone)}.`,
  );
  return redactSecrets(lines.join('\n'));
}

export function formatDeleted(d: DeletedInteraction): string {
  const backfill = {
    cancelled: 'its backfill workflow was cancelled',
    terminated:
      'its backfill workflow did not stop after the cancellation (is a worker running?) and was terminated',
    'not-running': 'it had no running backfill workflow',
  }[d.backfill];
  const syncs = d.cancelledSyncs.length ? `; cancelled running sync ${d.cancelledSyncs.join(', ')}` : '';
  return `Deleted interaction ${d.id}: ${d.scheduleDeleted ? 'schedule removed' : 'schedule was already gone'}, ${backfill}${syncs}.`;
}

export function formatSummary(s: SyncSummary): string {
  const how =
    s.content === 'changes' && s.changes
      ? [
          `content:   changes from ${s.changes.events} events: ${s.changes.changed} changed, ${s.changes.deleted} deleted`,
        ]
      : s.snapshotReason
        ? [`content:   full snapshot (${s.snapshotReason})`]
        : [];
  return [
    ...how,
    `objects:   ${s.objects}`,
    `pages:     ${s.pages}`,
    `bytes:     ${formatBytes(s.bytes)}`,
    `messages:  ${s.messages}`,
    `requests:  ${s.requests}`,
    `429s:      ${s.rateLimited}`,
    `duration:  ${formatDuration(s.durationSeconds)} (${s.objectsPerSecond} objects/s)`,
    ...(s.eventsCursor ? [`cursor:    ${s.eventsCursor}`] : []),
  ].join('\n');
}

export function formatSyncNow(r: SyncNowResult): string {
  const head = r.started
    ? `Started sync ${r.workflowId} of ${r.id}.`
    : `A sync of ${r.id} is already running (${r.workflowId}); not starting a second one.`;
  if (!r.summary) return r.started ? `${head}\nFollow it with: compound interactions show ${r.id}` : head;
  return `${head}\nFinished:\n${formatSummary(r.summary)}`;
}
