import { ScheduleAlreadyRunning, type Client, type ScheduleHandle } from '@temporalio/client';
import {
  BACKFILL_WORKFLOW_TYPE,
  INTERACTION_MEMO_KEY,
  backfillWorkflowId,
  interactionSchema,
  scheduleId,
  syncModeOf,
  fairnessKeyOf,
  type Interaction,
  type InteractionMemo,
} from '../common/interaction';
import { redactSecrets } from '../common/mask';
import { UsageError } from './errors';
import { interactionFromDescription, toInteractionView, type InteractionView } from './interaction-view';
import { schedulePoliciesFor, scheduleSpecFor } from './schedule-spec';
import { interactionSearchAttributes } from './search-attributes';
import { isSealed } from '../common/sealed-keys';
import { checkQueue } from './queue-check';
import { EVENTS_PERMISSION } from '../stripe/errors';
import { requestSnapshot } from './interaction-runs';
import { sealForStorage, sealingKeyFromEnv } from './seal-key';
import type { backfillInteraction } from '../workflows/backfill';
import { checkStripeKey, type KeyCheck } from './stripe-key';
import {
  configOf,
  describeOrUsage,
  formatIssues,
  parseInteractionInput,
  budgetFor,
  scheduleAction,
  scheduleExists,
  type CreateInteractionInput,
  type CreateInteractionOptions,
  type LibraryOptions,
} from './interaction-input';

// Registering an interaction and changing it: every input checked (Stripe key, queue) before anything
// is created or changed.

export interface CreatedInteraction {
  interaction: InteractionView;
  key: KeyCheck;
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
    mode: syncModeOf(interaction),
    stripeApiBase: interaction.stripeApiBase,
    timeoutMs: config.stripeTimeoutMs,
  });

  interaction.budget = budgetFor(input.account, key.account, interaction.stripeKey);
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
    await client.workflow.start<typeof backfillInteraction>(BACKFILL_WORKFLOW_TYPE, {
      workflowId: backfillWorkflowId(id),
      taskQueue,
      args: [
        {
          interactionId: id,
          fairnessKey: fairnessKeyOf(interaction),
          ...(interaction.rateShare !== undefined && { rateShare: interaction.rateShare }),
        },
      ],
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

export interface InteractionChanges {
  frequency?: string;
  /** The Stripe account whose rate limit the interaction shares (acct_…). */
  account?: string;
  /** incremental | snapshot; a switch to incremental starts with a full snapshot. */
  mode?: string;
  pageSize?: number;
  /** Share of the account's Stripe rate limit, (0, 1]. */
  rateShare?: number;
  /** none | gzip: how message bodies are written from the next page on. */
  compression?: string;
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
  /** What the user should know about the update (printed as warnings). */
  notes?: string[];
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
      'nothing to update: give --frequency, --mode, --account, --rate-share, --compression, --page-size, --timezone, --queue-url, --stripe-api-base or a new key',
    );
  }
  const { id, handle, desc } = await describeOrUsage(client, idOrName);
  const current = interactionFromDescription(desc);
  const sealingKey = opts.sealingKey ?? sealingKeyFromEnv();
  const parsed = interactionSchema.safeParse({
    ...current,
    ...Object.fromEntries(
      given.map((k) => [k === 'account' ? 'budget' : k, changes[k as keyof InteractionChanges]]),
    ),
  });
  if (!parsed.success) throw new UsageError(`invalid update of ${id}: ${formatIssues(parsed.error)}`);
  const next = parsed.data;

  if (next.queueUrl !== current.queueUrl) await checkQueue(next.queueUrl, config);
  const keyChanged = next.stripeKey !== current.stripeKey;
  const toIncremental = syncModeOf(next) === 'incremental' && syncModeOf(current) !== 'incremental';
  // A new key, or the old key against a new API base or for events, must work before it is used. A
  // stored key is sealed for the workers: the CLI cannot use it, so the next run is its check.
  const needsCheck = keyChanged || toIncremental || next.stripeApiBase !== current.stripeApiBase;
  const canCheck = !isSealed(next.stripeKey);
  const notes =
    needsCheck && !canCheck
      ? [
          `the stored Stripe key is sealed for the workers, so it was not checked against ${next.stripeApiBase ?? 'Stripe'}${toIncremental ? ` for Read on Events (${EVENTS_PERMISSION})` : ''}: the next run checks it (give the key again with --stripe-key-env to check it now)`,
        ]
      : [];
  const key =
    needsCheck && canCheck
      ? await checkStripeKey({
          stripeKey: next.stripeKey,
          resource: next.resource,
          mode: syncModeOf(next),
          stripeApiBase: next.stripeApiBase,
          timeoutMs: config.stripeTimeoutMs,
        })
      : undefined;

  // A new key may belong to another account; without --account its budget follows the key.
  if (keyChanged) next.budget = budgetFor(changes.account, key?.account, next.stripeKey);
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
  // Changes from before the switch were never read from events: start from a snapshot.
  if (toIncremental) await requestSnapshot(client, id, 'switched to incremental mode: a full snapshot first');
  const after = await handle.describe();
  return {
    interaction: toInteractionView(after, interactionFromDescription(after)),
    ...(key && { key }),
    changed: changed.map(String),
    ...(notes.length > 0 && { notes }),
  };
}
