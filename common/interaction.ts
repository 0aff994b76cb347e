import { z } from 'zod';
import { FREQUENCIES, hasEvents, RESOURCES, RESOURCE_NAMES } from '../stripe/resources';

/** incremental: a snapshot first, then only the changes Stripe's events report; snapshot: every run reads everything. */
export const SYNC_MODES = ['incremental', 'snapshot'] as const;
/** How message bodies are written: JSON as is, or gzip-compressed and base64-encoded (docs/messages.md). */
export const MESSAGE_COMPRESSIONS = ['none', 'gzip'] as const;
export type MessageCompression = (typeof MESSAGE_COMPRESSIONS)[number];
export type SyncMode = (typeof SYNC_MODES)[number];

/** Interaction ids are slugs of their names: they become `interaction-<id>` and `backfill-<id>`. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

export const STRIPE_KEY_PATTERN = /^(sk|rk)_(test|live)_[A-Za-z0-9]{8,}$/;
/** A Stripe key sealed for the workers (see sealed-keys.ts). */
export const SEALED_KEY_PATTERN = /^sealed:v1:[0-9a-f]{12}:[A-Za-z0-9+/]+=*$/;

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const interactionSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'id must be a lowercase slug'),
    name: z.string().trim().min(1, 'name must not be empty').max(100, 'name is at most 100 characters'),
    resource: z.enum(RESOURCE_NAMES, {
      error: () => `resource must be one of: ${RESOURCE_NAMES.join(', ')}`,
    }),
    frequency: z.enum(FREQUENCIES, { error: () => `frequency must be one of: ${FREQUENCIES.join(', ')}` }),
    /** Absent on interactions registered before incremental sync existed: they stay snapshots. */
    mode: z.enum(SYNC_MODES, { error: () => `mode must be one of: ${SYNC_MODES.join(', ')}` }).optional(),
    // Plaintext only on its way in (create, update): stored interactions hold it sealed (sealed-keys.ts).
    stripeKey: z
      .string()
      .refine(
        (key) => STRIPE_KEY_PATTERN.test(key) || SEALED_KEY_PATTERN.test(key),
        'the Stripe key must look like rk_test_…, rk_live_…, sk_test_… or sk_live_…',
      ),
    /** The key as the Stripe dashboard shows it (rk_live_…wxyz), kept beside the sealed key for display. */
    stripeKeyHint: z.string().max(40).optional(),
    pageSize: z
      .number()
      .int('page size must be a whole number')
      .min(1, 'page size must be between 1 and 100')
      .max(100, 'page size must be between 1 and 100')
      .default(100),
    queueUrl: z
      .string()
      .url('queue URL must be a URL')
      .refine((url) => /^https?:\/\//i.test(url), 'queue URL must be an http(s) URL of an SQS queue'),
    stripeApiBase: z.string().url('Stripe API base must be a URL').optional(),
    /**
     * The rate-limit budget the interaction draws from: its Stripe account (`acct_…`), or `key-<hash>`
     * when the account could not be identified. Absent on interactions from before budgets existed.
     */
    budget: z
      .string()
      .regex(/^(acct_[A-Za-z0-9]{1,59}|key-[0-9a-f]{16})$/, 'account must look like acct_1AbC…')
      .optional(),
    /**
     * The share of the account's Stripe rate limit Compound may use (the merchant's own integration
     * draws from the same limit); absent: DEFAULT_RATE_SHARE.
     */
    rateShare: z
      .number({ error: () => 'rate share must be a number between 0 and 1, e.g. 0.5' })
      .gt(0, 'rate share must be above 0 (0.05 is 5 % of the limit)')
      .max(1, 'rate share must be at most 1 (all of Stripe’s limit)')
      .optional(),
    /** Absent: 'none' (plain JSON bodies, as every interaction had before compression existed). */
    compression: z
      .enum(MESSAGE_COMPRESSIONS, {
        error: () => `compression must be one of: ${MESSAGE_COMPRESSIONS.join(', ')}`,
      })
      .optional(),
    timezone: z
      .string()
      .default('UTC')
      .refine(isValidTimeZone, 'timezone must be an IANA time zone like Europe/Paris'),
  })
  .superRefine((value, ctx) => {
    const allowed = RESOURCES[value.resource].frequencies;
    if (!allowed.includes(value.frequency)) {
      ctx.addIssue({
        code: 'custom',
        path: ['frequency'],
        message: `${value.resource} can be synced ${allowed.join(' or ')}, not ${value.frequency}`,
      });
    }
    if (value.mode === 'incremental' && !hasEvents(value.resource)) {
      ctx.addIssue({
        code: 'custom',
        path: ['mode'],
        message: `${value.resource} can only be synced by snapshots (Stripe sends no events about it): use --mode snapshot`,
      });
    }
  });

export type Interaction = z.output<typeof interactionSchema>;
export type InteractionInput = z.input<typeof interactionSchema>;

/** The rate-limit budget an interaction draws from (interactions from before budgets existed: their own). */
export const budgetOf = (interaction: Pick<Interaction, 'budget' | 'id'>): string =>
  interaction.budget ?? `interaction-${interaction.id}`.slice(0, 64);

export const compressionOf = (interaction: Pick<Interaction, 'compression'>): MessageCompression =>
  interaction.compression ?? 'none';

/** Compound's share of an account's Stripe rate limit when the interaction names none. */
export const DEFAULT_RATE_SHARE = 0.95;

export const rateShareOf = (interaction: Pick<Interaction, 'rateShare'>): number =>
  interaction.rateShare ?? DEFAULT_RATE_SHARE;

/**
 * How Temporal dispatches an interaction's page activities: by its fairness key, at Stripe's limit
 * times the fairness weight (worker/fairness.ts), so the weight is the interaction's rate share.
 */
export function pagePriorityOf(
  interaction: Pick<Interaction, 'budget' | 'id' | 'resource' | 'stripeKey' | 'stripeKeyHint' | 'rateShare'>,
): { fairnessKey: string; fairnessWeight: number } {
  return { fairnessKey: fairnessKeyOf(interaction), fairnessWeight: rateShareOf(interaction) };
}

/**
 * The task-queue fairness key of an interaction's page activities: Temporal dispatches each key's
 * activities at most at the rate the workers set (worker/fairness.ts), across every worker of the
 * queue. Test mode: one key per account (Stripe's 25 req/s account limit binds first); live mode: one per
 * account and endpoint (25 req/s each; the 100 req/s account limit is left to the workers' limiters).
 * A sealed key without its hint gives no mode: the account-wide key, the safe choice.
 */
export function fairnessKeyOf(
  interaction: Pick<Interaction, 'budget' | 'id' | 'resource' | 'stripeKey' | 'stripeKeyHint'>,
): string {
  const budget = budgetOf(interaction).slice(0, 40);
  const shown = interaction.stripeKeyHint ?? interaction.stripeKey;
  return keyMode(shown) === 'live' ? `${budget}|${interaction.resource}` : budget;
}

/** The mode runs use: interactions from before modes existed are snapshots. */
export const syncModeOf = (interaction: Pick<Interaction, 'mode'>): SyncMode =>
  interaction.mode ?? 'snapshot';

/** What a new interaction gets without --mode: changes only, where Stripe has events for the resource. */
export const defaultSyncMode = (resource: Interaction['resource']): SyncMode =>
  hasEvents(resource) ? 'incremental' : 'snapshot';

/** Stripe key mode from its prefix: sk_test_/rk_test_ → test. */
export function keyMode(stripeKey: string): 'test' | 'live' {
  return /^(sk|rk)_live_/.test(stripeKey) ? 'live' : 'test';
}

export function isRestrictedKey(stripeKey: string): boolean {
  return stripeKey.startsWith('rk_');
}

export const scheduleId = (interactionId: string): string => `interaction-${interactionId}`;
export const backfillWorkflowId = (interactionId: string): string => `backfill-${interactionId}`;
/** Scheduled runs: Temporal appends the scheduled time (sync-<id>-2025-01-01T00:00:00Z). */
export const syncWorkflowId = (interactionId: string): string => `sync-${interactionId}`;
export const SYNC_WORKFLOW_TYPE = 'syncInteraction';
export const BACKFILL_WORKFLOW_TYPE = 'backfillInteraction';

/**
 * Where an interaction lives in its schedule. The full interaction (key sealed, all of it encrypted by the codec)
 * is the first argument of the schedule's action, which `update` can change; the memo holds the fields
 * that never change, for listing (Temporal cannot update a schedule's memo).
 */
export const INTERACTION_MEMO_KEY = 'interaction';
export interface InteractionMemo {
  id: string;
  name: string;
  resource: Interaction['resource'];
  registeredAt: string;
}
/** The arguments of a schedule's action: the sync workflow's input (workflows/sync.ts SyncInput). */
export interface ScheduledSyncArgs {
  interactionId: string;
  /** Held for the record; activities read it from the schedule, so a changed key applies at once. */
  interaction: Interaction;
}

/**
 * The interaction a schedule holds, from its action (the one parser of that record, used by the
 * worker's lookup and the client library). Never echoes the input: it holds the key.
 */
export function interactionFromAction(
  scheduleIdText: string,
  action: { type: string; args?: readonly unknown[] },
): { ok: true; interaction: Interaction } | { ok: false; reason: string } {
  const args = action.type === 'startWorkflow' ? action.args : undefined;
  const parsed = interactionSchema.safeParse(
    (args?.[0] as Partial<ScheduledSyncArgs> | undefined)?.interaction,
  );
  if (parsed.success) return { ok: true, interaction: parsed.data };
  return {
    ok: false,
    reason: `the schedule ${scheduleIdText} does not hold a valid interaction: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
  };
}
