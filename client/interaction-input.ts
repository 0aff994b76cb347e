import {
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
} from '@temporalio/client';
import type { z } from 'zod';
import { loadConfig, type CompoundConfig } from '../common/config';
import {
  SYNC_WORKFLOW_TYPE,
  syncWorkflowId,
  interactionSchema,
  scheduleId,
  slugify,
  type Interaction,
  type ScheduledSyncArgs,
  defaultSyncMode,
} from '../common/interaction';
import { closeResourceNames, isResourceName, RESOURCE_NAMES } from '../stripe/resources';
import { UsageError } from './errors';
import { keyBudget } from '../stripe/account';
import { interactionSearchAttributes } from './search-attributes';
import type { KeyObject } from 'node:crypto';

// Input of the interaction library: options, parsing and validation, id resolution, the schedule's
// action. Shared by the create, update, list and run modules.

/** Every interaction schedule id starts with this ("interaction-"); other schedules in the namespace are not ours. */
export const SCHEDULE_PREFIX = scheduleId('');

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
  /** incremental | snapshot; default incremental where Stripe has events for the resource. */
  mode?: string;
  /** The Stripe account (acct_…) whose rate limit the interaction shares; found from the key when it allows. */
  account?: string;
  /** The key itself, already read from wherever the caller keeps it. Checked against Stripe before anything is created. */
  stripeKey: string;
  /** 1–100, default 100. */
  pageSize?: number;
  /** Share of the account's Stripe rate limit, (0, 1]; default DEFAULT_RATE_SHARE. */
  rateShare?: number;
  /** none | gzip (validated); default none. */
  compression?: string;
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

export function configOf(o: LibraryOptions): CompoundConfig {
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
  if (typeof input.resource === 'string' && !isResourceName(input.resource))
    throw unknownResource(input.resource);
  const parsed = interactionSchema.safeParse({
    id,
    name,
    resource: input.resource,
    frequency: input.frequency,
    mode: input.mode ?? (isResourceName(input.resource) ? defaultSyncMode(input.resource) : undefined),
    ...(input.account !== undefined && { budget: input.account }),
    stripeKey: input.stripeKey,
    pageSize: input.pageSize,
    ...(input.rateShare !== undefined && { rateShare: input.rateShare }),
    ...(input.compression !== undefined && { compression: input.compression }),
    queueUrl: input.queueUrl ?? config.queueUrl,
    stripeApiBase: input.stripeApiBase,
    timezone: input.timezone,
  });
  if (!parsed.success) throw new UsageError(`invalid interaction: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

export function unknownResource(resource: string): UsageError {
  const close = closeResourceNames(resource);
  const hint = close.length > 0 ? `; did you mean ${close.join(' or ')}?` : '';
  return new UsageError(
    `unknown resource "${resource.slice(0, 60)}"${hint} (\`compound resources\` lists all ${RESOURCE_NAMES.length})`,
  );
}

/** Accepts an id (`acme-charges`) or the name it came from (`"Acme charges"`). */
export function resolveInteractionId(idOrName: string): string {
  return /^[a-z0-9][a-z0-9-]*$/.test(idOrName) ? idOrName : slugify(idOrName);
}

export function unknownInteraction(idOrName: string): UsageError {
  return new UsageError(`no interaction named ${idOrName}; see \`compound interactions list\``);
}

export async function describeOrUsage(
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
 * The budget an interaction draws from: the account named (`--account`), which must be the key's when
 * the key says; else the key's account; else one budget per key.
 */
export function budgetFor(named: string | undefined, found: string | undefined, stripeKey: string): string {
  if (named && found && named !== found)
    throw new UsageError(`--account ${named}: the Stripe key belongs to account ${found}`);
  return named ?? found ?? keyBudget(stripeKey);
}
