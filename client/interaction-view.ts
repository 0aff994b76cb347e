import type { RetryingPage } from './retrying';
import type { ScheduleDescription } from '@temporalio/client';
import {
  INTERACTION_MEMO_KEY,
  backfillWorkflowId,
  interactionFromAction,
  isRestrictedKey,
  keyMode,
  scheduleId,
  syncModeOf,
  budgetOf,
  rateShareOf,
  compressionOf,
  type Interaction,
  type InteractionMemo,
  type SyncMode,
  type MessageCompression,
} from '../common/interaction';
import { maskKey, redactSecrets } from '../common/mask';

// What the library hands back to callers and what the CLI prints: an interaction as read from its
// schedule, with the Stripe key masked. Nothing in a view is secret, so it can be printed or logged.

export type RunStatus =
  | 'RUNNING'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELLED'
  | 'TERMINATED'
  | 'TIMED_OUT'
  | 'CONTINUED_AS_NEW'
  | 'UNKNOWN';

export interface RunView {
  workflowId: string;
  /** First run of the chain (a sync may continue-as-new). */
  runId: string;
  scheduledAt: string;
  startedAt: string;
  status: RunStatus;
  closedAt?: string;
  /** Why it failed, masked. */
  failure?: string;
  /** While running: a page that keeps failing and is being retried. */
  retrying?: RetryingPage;
}

export interface InteractionView {
  id: string;
  name: string;
  resource: Interaction['resource'];
  frequency: Interaction['frequency'];
  /** incremental or snapshot (interactions from before modes existed are snapshots). */
  mode: SyncMode;
  /** The rate-limit budget its requests draw from: its account, or its key's when the account is unknown. */
  budget: string;
  /** Its share of the account's Stripe rate limit (DEFAULT_RATE_SHARE unless set). */
  rateShare: number;
  /** How its message bodies are written. */
  compression: MessageCompression;
  timezone: string;
  pageSize: number;
  queueUrl: string;
  stripeApiBase?: string;
  /** Masked: rk_test_…abcd. */
  stripeKey: string;
  keyMode: 'test' | 'live';
  keyKind: 'restricted' | 'secret';
  registeredAt?: string;
  paused: boolean;
  note?: string;
  nextRuns: string[];
  lastRun?: RunView;
  /** Oldest first; only filled by `getInteraction` (show). */
  recentRuns?: RunView[];
  /** Workflow ids of syncs running now. */
  running: string[];
  scheduleId: string;
  backfillWorkflowId: string;
  taskQueue?: string;
}

/** The interaction stored in the schedule's action arguments (decoded by the client's codec). */
export function interactionFromDescription(
  desc: Pick<ScheduleDescription, 'scheduleId' | 'action'>,
): Interaction {
  const read = interactionFromAction(desc.scheduleId, desc.action);
  if (!read.ok) throw new Error(read.reason);
  return read.interaction;
}

export function memoFromDescription(desc: Pick<ScheduleDescription, 'memo'>): InteractionMemo | undefined {
  return desc.memo?.[INTERACTION_MEMO_KEY] as InteractionMemo | undefined;
}

export function toInteractionView(
  desc: Pick<ScheduleDescription, 'scheduleId' | 'action' | 'memo' | 'state' | 'info'>,
  interaction: Interaction,
  runs: { lastRun?: RunView; recentRuns?: RunView[] } = {},
): InteractionView {
  const memo = memoFromDescription(desc);
  const shownKey = interaction.stripeKeyHint ?? interaction.stripeKey;
  return {
    id: interaction.id,
    name: interaction.name,
    resource: interaction.resource,
    frequency: interaction.frequency,
    mode: syncModeOf(interaction),
    budget: budgetOf(interaction),
    rateShare: rateShareOf(interaction),
    compression: compressionOf(interaction),
    timezone: interaction.timezone,
    pageSize: interaction.pageSize,
    queueUrl: interaction.queueUrl,
    ...(interaction.stripeApiBase !== undefined && { stripeApiBase: interaction.stripeApiBase }),
    // Sealed keys are shown by their hint; the CLI could not open them, and must never print them.
    stripeKey: maskKey(shownKey),
    keyMode: keyMode(shownKey),
    keyKind: isRestrictedKey(shownKey) ? 'restricted' : 'secret',
    ...(memo?.registeredAt !== undefined && { registeredAt: memo.registeredAt }),
    paused: desc.state.paused,
    ...(desc.state.note && { note: redactSecrets(desc.state.note) }),
    nextRuns: desc.info.nextActionTimes.map((d) => d.toISOString()),
    ...(runs.lastRun && { lastRun: runs.lastRun }),
    ...(runs.recentRuns && { recentRuns: runs.recentRuns }),
    running: desc.info.runningActions.map((a) => a.workflow.workflowId),
    scheduleId: scheduleId(interaction.id),
    backfillWorkflowId: backfillWorkflowId(interaction.id),
    ...(desc.action.type === 'startWorkflow' && { taskQueue: desc.action.taskQueue }),
  };
}

/**
 * The message at the bottom of a failure chain (WorkflowFailedError → ActivityFailure → ApplicationFailure):
 * the one that says what went wrong, masked.
 */
export function failureMessage(err: unknown): string {
  let current: unknown = err;
  let message = '';
  for (let depth = 0; current instanceof Error && depth < 20; depth++) {
    if (current.message) message = current.message;
    current = (current as { cause?: unknown }).cause;
  }
  return redactSecrets(message || String(err));
}
