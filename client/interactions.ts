import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleExecutionResult,
  type ScheduleHandle,
} from '@temporalio/client';
import type { z } from 'zod';
import { loadConfig, type CompoundConfig } from '../common/config';
import {
  INTERACTION_MEMO_KEY,
  backfillWorkflowId,
  interactionSchema,
  scheduleId,
  slugify,
  type Interaction,
  type InteractionMemo,
  type ScheduledSyncArgs,
} from '../common/interaction';
import { redactSecrets } from '../common/mask';
import type { SyncSummary } from '../workflows/definitions';
import { UsageError } from './errors';
import {
  failureMessage,
  interactionFromDescription,
  memoFromDescription,
  toInteractionView,
  type InteractionView,
  type RunStatus,
  type RunView,
} from './interaction-view';
import { schedulePoliciesFor, scheduleSpecFor } from './schedule-spec';
import { interactionSearchAttributes } from './search-attributes';
import type { KeyObject } from 'node:crypto';
import { isSealed } from '../common/sealed-keys';
import { checkQueue } from './queue-check';
import { sealForStorage, sealingKeyFromEnv } from './seal-key';
import { retryingPage } from './retrying';
import { checkStripeKey, type KeyCheck } from './stripe-key';

// The typed client library behind `compound interactions …`. Every function validates its input and
// throws UsageError for anything the caller must fix (exit code 2 in the CLI); it never prints.
// The interaction's Temporal Schedule is its only record (see DESIGN.md): the full interaction, key
// included, lives in the schedule action's arguments, which the client's payload codec encrypts.

export type { InteractionView, RunView, RunStatus } from './interaction-view';

export const SYNC_WORKFLOW_TYPE = 'syncInteraction';
export const BACKFILL_WORKFLOW_TYPE = 'backfillInteraction';
export const syncWorkflowId = (interactionId: string): string => `sync-${interactionId}`;
/** Every interaction schedule id starts with this ("interaction-"); other schedules in the namespace are not ours. */
const SCHEDULE_PREFIX = scheduleId('');

export interface LibraryOptions {
  /** Defaults from the environment (loadConfig()) when omitted. */
  config?: CompoundConfig;
  /** The public key Stripe keys are sealed with; default from the environment (sealingKeyFromEnv()). */
  sealingKey?: KeyObject;
}

export interface CreateInteractionInput {
  name: string;
  /** charges | products | subscriptions (validated). */
  resource: string;
  /** hourly | daily | monthly (validated; subscriptions only daily or monthly). */
  frequency: string;
  /** The key itself, already read from wherever the caller keeps it. Checked against Stripe before anything is created. */
  stripeKey: string;
  /** 1–100, default 100. */
  pageSize?: number;
  /** Default: config.queueUrl. */
  queueUrl?: string;
  /** The Stripe API (default https://api.stripe.com), the emulator or a proxy. */
  stripeApiBase?: string;
  /** IANA time zone the frequency is evaluated in; default UTC. */
  timezone?: string;
}

export interface CreateInteractionOptions extends LibraryOptions {
  /** Task queue the syncs and the backfill run on; default config.taskQueue. */
  taskQueue?: string;
}

export interface CreatedInteraction {
  interaction: InteractionView;
  key: KeyCheck;
}

function configOf(o: LibraryOptions): CompoundConfig {
  return o.config ?? loadConfig();
}

/** One line per problem, never the input values (the key is one of them). */
export function formatIssues(error: z.ZodError): string {
  return [...new Set(error.issues.map((i) => i.message))].join('; ');
}

/** Validates a new interaction without talking to anyone: the same checks `createInteraction` starts with. */
export function parseInteractionInput(
  input: CreateInteractionInput,
  config: Pick<CompoundConfig, 'queueUrl'>,
): Interaction {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name === '') throw new UsageError('the name must not be empty');
  const id = slugify(name);
  if (id === '')
    throw new UsageError(
      `the name "${name}" must contain at least one letter or digit (it becomes the interaction id)`,
    );
  const parsed = interactionSchema.safeParse({
    id,
    name,
    resource: input.resource,
    frequency: input.frequency,
    stripeKey: input.stripeKey,
    pageSize: input.pageSize,
    queueUrl: input.queueUrl ?? config.queueUrl,
    stripeApiBase: input.stripeApiBase,
    timezone: input.timezone,
  });
  if (!parsed.success) throw new UsageError(`invalid interaction: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

/** Accepts an id (`acme-charges`) or the name it came from (`"Acme charges"`). */
export function resolveInteractionId(idOrName: string): string {
  return /^[a-z0-9][a-z0-9-]*$/.test(idOrName) ? idOrName : slugify(idOrName);
}

export function unknownInteraction(idOrName: string): UsageError {
  return new UsageError(`no interaction named ${idOrName}; see \`compound interactions list\``);
}

async function describeOrUsage(
  client: Client,
  idOrName: string,
): Promise<{ id: string; handle: ScheduleHandle; desc: ScheduleDescription }> {
  const id = resolveInteractionId(idOrName);
  if (id === '') throw unknownInteraction(idOrName);
  const handle = client.schedule.getHandle(scheduleId(id));
  try {
    return { id, handle, desc: await handle.describe() };
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw unknownInteraction(idOrName);
    throw err;
  }
}

export async function scheduleExists(client: Client, id: string): Promise<boolean> {
  try {
    await client.schedule.getHandle(scheduleId(id)).describe();
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return false;
    throw err;
  }
}

export function scheduleAction(interaction: Interaction, taskQueue: string) {
  const args: [ScheduledSyncArgs] = [{ interactionId: interaction.id, interaction }];
  return {
    type: 'startWorkflow' as const,
    workflowType: SYNC_WORKFLOW_TYPE,
    // Temporal appends the scheduled time: sync-<id>-2025-01-01T00:00:00Z.
    workflowId: syncWorkflowId(interaction.id),
    taskQueue,
    args,
    typedSearchAttributes: interactionSearchAttributes(interaction.id, interaction.resource),
  };
}

/**
 * Registers an interaction: checks the input and the key (one Stripe list call), creates the schedule
 * `interaction-<id>` and starts the idle backfill workflow `backfill-<id>`. All or nothing: when the
 * backfill workflow cannot be started, the schedule is deleted again.
 */
export async function createInteraction(
  client: Client,
  input: CreateInteractionInput,
  opts: CreateInteractionOptions = {},
): Promise<CreatedInteraction> {
  const config = configOf(opts);
  const sealingKey = opts.sealingKey ?? sealingKeyFromEnv();
  const taskQueue = opts.taskQueue ?? config.taskQueue;
  const interaction = parseInteractionInput(input, config);
  const id = interaction.id;
  if (await scheduleExists(client, id)) {
    throw new UsageError(
      `an interaction named ${id} already exists (schedule ${scheduleId(id)}); pick another name or delete it first`,
    );
  }
  await checkQueue(interaction.queueUrl, config);
  const key = await checkStripeKey({
    stripeKey: interaction.stripeKey,
    resource: interaction.resource,
    stripeApiBase: interaction.stripeApiBase,
    timeoutMs: config.stripeTimeoutMs,
  });

  const memo: InteractionMemo = {
    id,
    name: interaction.name,
    resource: interaction.resource,
    registeredAt: new Date().toISOString(),
  };
  const searchAttributes = interactionSearchAttributes(id, interaction.resource);
  let handle: ScheduleHandle;
  try {
    handle = await client.schedule.create({
      scheduleId: scheduleId(id),
      spec: scheduleSpecFor(interaction.frequency, interaction.timezone),
      action: scheduleAction(sealForStorage(interaction, sealingKey), taskQueue),
      policies: schedulePoliciesFor(interaction.frequency),
      memo: { [INTERACTION_MEMO_KEY]: memo },
      typedSearchAttributes: searchAttributes,
    });
  } catch (err) {
    // Lost a race with another `create` of the same name between the check above and here.
    if (err instanceof ScheduleAlreadyRunning) {
      throw new UsageError(`an interaction named ${id} already exists (schedule ${scheduleId(id)})`);
    }
    throw err;
  }

  try {
    await client.workflow.start(BACKFILL_WORKFLOW_TYPE, {
      workflowId: backfillWorkflowId(id),
      taskQueue,
      args: [{ interactionId: id }],
      typedSearchAttributes: searchAttributes,
      // A backfill workflow left running by an earlier, half-deleted interaction of the same name is
      // reused rather than failing the create.
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  } catch (err) {
    await handle.delete().catch(() => undefined);
    throw new Error(
      `could not start the backfill workflow ${backfillWorkflowId(id)}, so the interaction was not created: ${redactSecrets((err as Error).message)}`,
      {
        cause: err,
      },
    );
  }
  return { interaction: toInteractionView(await handle.describe(), interaction), key };
}

const WORKFLOW_STATUSES = new Set<RunStatus>([
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TERMINATED',
  'TIMED_OUT',
  'CONTINUED_AS_NEW',
]);

/** Status of one run the schedule started, following its continue-as-new chain to the latest run. */
export async function runView(client: Client, action: ScheduleExecutionResult): Promise<RunView> {
  const { workflowId, firstExecutionRunId } = action.action.workflow;
  const base = {
    workflowId,
    runId: firstExecutionRunId,
    scheduledAt: action.scheduledAt.toISOString(),
    startedAt: action.takenAt.toISOString(),
  };
  try {
    // Without a run id: the latest run of this workflow id, i.e. the end of the continue-as-new chain.
    const handle = client.workflow.getHandle(workflowId);
    const d = await handle.describe();
    const status = (
      WORKFLOW_STATUSES.has(d.status.name as RunStatus) ? d.status.name : 'UNKNOWN'
    ) as RunStatus;
    const retrying = status === 'RUNNING' ? retryingPage(d) : undefined;
    const view: RunView = {
      ...base,
      status,
      ...(d.closeTime && { closedAt: d.closeTime.toISOString() }),
      ...(retrying && { retrying }),
    };
    if (status === 'FAILED' || status === 'TERMINATED' || status === 'TIMED_OUT') {
      try {
        await client.workflow.getHandle(workflowId, d.runId, { followRuns: false }).result();
      } catch (err) {
        view.failure = failureMessage(err);
      }
    }
    return view;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      return { ...base, status: 'UNKNOWN', failure: 'the run is no longer in Temporal (retention)' };
    throw err;
  }
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}

export interface ListedInteraction extends Partial<InteractionView> {
  id: string;
  scheduleId: string;
  /** Set when the schedule could not be read (e.g. encrypted with a key this process lacks). */
  problem?: string;
}

/**
 * Every interaction in the namespace, by name. Schedule listing is eventually consistent in Temporal,
 * so an interaction created a moment ago may take a second to appear.
 */
/** Ids of every registered interaction (from their schedules' ids). */
export async function listInteractionIds(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for await (const summary of client.schedule.list()) {
    if (summary.scheduleId.startsWith(SCHEDULE_PREFIX))
      ids.push(summary.scheduleId.slice(SCHEDULE_PREFIX.length));
  }
  return ids;
}

export async function listInteractions(client: Client): Promise<ListedInteraction[]> {
  const ids = await listInteractionIds(client);
  const listed = await mapLimited(ids, 8, async (id): Promise<ListedInteraction | undefined> => {
    const sid = scheduleId(id);
    let desc: ScheduleDescription;
    try {
      desc = await client.schedule.getHandle(sid).describe();
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return undefined; // deleted while listing
      return { id, scheduleId: sid, problem: redactSecrets((err as Error).message) };
    }
    try {
      const interaction = interactionFromDescription(desc);
      const last = desc.info.recentActions.at(-1);
      return toInteractionView(desc, interaction, { lastRun: last && (await runView(client, last)) });
    } catch (err) {
      const memo = memoFromDescription(desc);
      return {
        id,
        scheduleId: sid,
        name: memo?.name,
        resource: memo?.resource,
        problem: redactSecrets((err as Error).message),
      };
    }
  });
  return listed
    .filter((x): x is ListedInteraction => x !== undefined)
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** One interaction with its recent runs (oldest first) and their results. */
export async function getInteraction(client: Client, idOrName: string): Promise<InteractionView> {
  const { desc } = await describeOrUsage(client, idOrName);
  const interaction = interactionFromDescription(desc);
  const recentRuns = await mapLimited(desc.info.recentActions, 4, (a) => runView(client, a));
  return toInteractionView(desc, interaction, { lastRun: recentRuns.at(-1), recentRuns });
}

export interface StateChange {
  id: string;
  /** False when it already was in the requested state. */
  changed: boolean;
}

export async function pauseInteraction(
  client: Client,
  idOrName: string,
  note = 'paused with `compound interactions pause`',
): Promise<StateChange> {
  const { id, handle, desc } = await describeOrUsage(client, idOrName);
  if (desc.state.paused) return { id, changed: false };
  await handle.pause(note);
  return { id, changed: true };
}

export async function resumeInteraction(
  client: Client,
  idOrName: string,
  note = 'resumed with `compound interactions resume`',
): Promise<StateChange> {
  const { id, handle, desc } = await describeOrUsage(client, idOrName);
  if (!desc.state.paused) return { id, changed: false };
  await handle.unpause(note);
  return { id, changed: true };
}

export interface InteractionChanges {
  frequency?: string;
  pageSize?: number;
  timezone?: string;
  queueUrl?: string;
  stripeApiBase?: string;
  /** A new key (rotation); checked against Stripe like on create. */
  stripeKey?: string;
}

export interface UpdatedInteraction {
  interaction: InteractionView;
  /** Present when a new key was given. */
  key?: KeyCheck;
  /** Names of the settings that changed. */
  changed: string[];
}

/**
 * Changes the mutable settings: the schedule's spec and policies follow the frequency and time zone, and
 * the action's arguments get the new interaction (the running worker picks it up within seconds).
 * Name and resource are the interaction's identity and cannot change.
 */
export async function updateInteraction(
  client: Client,
  idOrName: string,
  changes: InteractionChanges,
  opts: LibraryOptions = {},
): Promise<UpdatedInteraction> {
  const config = configOf(opts);
  const given = Object.entries(changes)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);
  if (given.length === 0) {
    throw new UsageError(
      'nothing to update: give --frequency, --page-size, --timezone, --queue-url, --stripe-api-base or a new key',
    );
  }
  const { id, handle, desc } = await describeOrUsage(client, idOrName);
  const current = interactionFromDescription(desc);
  const sealingKey = opts.sealingKey ?? sealingKeyFromEnv();
  const parsed = interactionSchema.safeParse({
    ...current,
    ...Object.fromEntries(given.map((k) => [k, changes[k as keyof InteractionChanges]])),
  });
  if (!parsed.success) throw new UsageError(`invalid update of ${id}: ${formatIssues(parsed.error)}`);
  const next = parsed.data;

  if (next.queueUrl !== current.queueUrl) await checkQueue(next.queueUrl, config);
  const keyChanged = next.stripeKey !== current.stripeKey;
  // A new key, or the old key against a new API base, must work before the interaction uses it.
  const key =
    keyChanged || next.stripeApiBase !== current.stripeApiBase
      ? await checkStripeKey({
          stripeKey: next.stripeKey,
          resource: next.resource,
          stripeApiBase: next.stripeApiBase,
          timeoutMs: config.stripeTimeoutMs,
        })
      : undefined;

  const changed = (Object.keys(next) as (keyof Interaction)[]).filter((k) => next[k] !== current[k]);
  // A key stored in plaintext by an earlier version is sealed by any update.
  if (changed.length > 0 || !isSealed(current.stripeKey)) {
    await handle.update((prev) => {
      const taskQueue = prev.action.type === 'startWorkflow' ? prev.action.taskQueue : config.taskQueue;
      return {
        spec: scheduleSpecFor(next.frequency, next.timezone),
        action: scheduleAction(
          sealForStorage(keyChanged ? { ...next, stripeKeyHint: undefined } : next, sealingKey),
          taskQueue,
        ),
        policies: { ...prev.policies, ...schedulePoliciesFor(next.frequency) },
        state: {
          paused: prev.state.paused,
          note: prev.state.note,
          remainingActions: prev.state.remainingActions,
        },
        // Sent again: an update without them could clear the schedule's own search attributes.
        typedSearchAttributes: interactionSearchAttributes(id, next.resource),
      };
    });
  }
  const after = await handle.describe();
  return {
    interaction: toInteractionView(after, interactionFromDescription(after)),
    ...(key && { key }),
    changed: changed.map(String),
  };
}

export interface SyncNowOptions {
  /** Wait for the run to finish and return its summary. */
  wait?: boolean;
  /** How long to wait for the triggered run to appear in the schedule's description. */
  startTimeoutMs?: number;
}

export interface SyncNowResult {
  id: string;
  workflowId: string;
  /** First run id of the sync (it may continue-as-new). */
  runId: string;
  /** False when a sync was already running: overlap SKIP means no second one is started; that one is reported. */
  started: boolean;
  /** With `wait`: the run's result. */
  summary?: SyncSummary;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a sync now. The trigger uses overlap SKIP (Temporal's trigger defaults to ALLOW_ALL), so two
 * syncs of one interaction never run at once; when one is already running, that one is returned.
 */
export async function triggerSync(
  client: Client,
  idOrName: string,
  o: Pick<SyncNowOptions, 'startTimeoutMs'> = {},
): Promise<SyncNowResult> {
  const { id, handle, desc } = await describeOrUsage(client, idOrName);
  const running = desc.info.runningActions.at(-1)?.workflow;
  if (running)
    return { id, workflowId: running.workflowId, runId: running.firstExecutionRunId, started: false };

  const known = new Set(desc.info.recentActions.map((a) => a.action.workflow.firstExecutionRunId));
  await handle.trigger('SKIP');
  // The trigger returns before the run starts, and does not say which run it started: watch for it.
  const timeoutMs = o.startTimeoutMs ?? 15000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await handle.describe();
    const run =
      now.info.recentActions.map((a) => a.action.workflow).find((w) => !known.has(w.firstExecutionRunId)) ??
      now.info.runningActions.at(-1)?.workflow;
    if (run) return { id, workflowId: run.workflowId, runId: run.firstExecutionRunId, started: true };
    if (Date.now() > deadline)
      throw new Error(
        `triggered ${scheduleId(id)}, but no sync started within ${Math.round(timeoutMs / 1000)} s`,
      );
    await sleep(200);
  }
}

/** Waits for a sync (through its continue-as-new runs) and returns its summary; a failed sync throws with its reason. */
export async function waitForSync(
  client: Client,
  run: Pick<SyncNowResult, 'workflowId' | 'runId'>,
): Promise<SyncSummary> {
  try {
    return await client.workflow
      .getHandle<(input: unknown) => Promise<SyncSummary>>(run.workflowId, undefined, {
        firstExecutionRunId: run.runId,
      })
      .result();
  } catch (err) {
    if (err instanceof WorkflowFailedError)
      throw new Error(`sync ${run.workflowId} failed: ${failureMessage(err)}`, { cause: err });
    throw err;
  }
}

/** triggerSync, then (with `wait`) waitForSync. */
export async function syncNow(
  client: Client,
  idOrName: string,
  o: SyncNowOptions = {},
): Promise<SyncNowResult> {
  const result = await triggerSync(client, idOrName, o);
  if (o.wait) result.summary = await waitForSync(client, result);
  return result;
}

export type BackfillEnding = 'cancelled' | 'terminated' | 'not-running';

export interface DeletedInteraction {
  id: string;
  scheduleDeleted: boolean;
  /** How the backfill workflow ended. */
  backfill: BackfillEnding;
  /** Syncs that were running and were cancelled. */
  cancelledSyncs: string[];
}

export interface DeleteOptions {
  /** How long to wait for the backfill workflow to finish after the cancel request before terminating it. */
  backfillTimeoutMs?: number;
}

async function isRunning(client: Client, workflowId: string): Promise<boolean> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/**
 * Removes the schedule, cancels syncs it left running (with the schedule gone they could only fail) and
 * ends the backfill workflow by cancelling it (it returns normally). If no worker takes the cancellation
 * within the timeout, the backfill is terminated, so nothing of the interaction is left running.
 */
export async function deleteInteraction(
  client: Client,
  idOrName: string,
  o: DeleteOptions = {},
): Promise<DeletedInteraction> {
  const id = resolveInteractionId(idOrName);
  if (id === '') throw unknownInteraction(idOrName);
  const handle = client.schedule.getHandle(scheduleId(id));
  let desc: ScheduleDescription | undefined;
  try {
    desc = await handle.describe();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
  const backfillId = backfillWorkflowId(id);
  // A half-deleted interaction (schedule gone, backfill left) can still be deleted.
  if (!desc && !(await isRunning(client, backfillId))) throw unknownInteraction(idOrName);

  let scheduleDeleted = false;
  if (desc) {
    try {
      await handle.delete();
      scheduleDeleted = true;
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
  }
  const cancelledSyncs: string[] = [];
  for (const { workflow } of desc?.info.runningActions ?? []) {
    try {
      await client.workflow.getHandle(workflow.workflowId).cancel();
      cancelledSyncs.push(workflow.workflowId);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  return {
    id,
    scheduleDeleted,
    backfill: await endBackfill(client, backfillId, o.backfillTimeoutMs ?? 10000),
    cancelledSyncs,
  };
}

async function endBackfill(client: Client, workflowId: string, timeoutMs: number): Promise<BackfillEnding> {
  const backfill = client.workflow.getHandle(workflowId);
  try {
    await backfill.cancel();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'not-running'; // already gone or already closed
    throw err;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isRunning(client, workflowId))) return 'cancelled';
    await sleep(200);
  }
  try {
    await backfill.terminate(
      'interaction deleted; no worker finished the backfill workflow after its cancellation',
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'cancelled';
    throw err;
  }
  return 'terminated';
}
