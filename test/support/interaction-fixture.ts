import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import type { ResourceName } from '../../stripe/resources';
import { sealForStorage, sealingKeyFromEnv } from '../../client/seal-key';
import { emulatorAdmin } from '../../dev/stripe-emulator/admin-client';
import type { AccountInfo, AccountSpec } from '../../dev/stripe-emulator/types';
import { services } from '../services/env';
import { createQueue, uniqueName } from './sqs';
import {
  INTERACTION_MEMO_KEY,
  interactionSchema,
  scheduleId,
  type Interaction,
  type InteractionInput,
} from '../../common/interaction';
import type { SyncSummary } from '../../workflows/definitions';
import type { SyncInput } from '../../workflows/sync';

/**
 * Stores an interaction the way the client library does (a schedule whose action holds it), but paused
 * and without Stripe's key check, so engine tests control when runs start and can register keys that
 * Stripe will refuse (a key revoked after registration).
 */
export async function storeInteraction(
  client: Client,
  input: InteractionInput,
  taskQueue: string,
): Promise<Interaction> {
  // Sealed as the client library stores it, so workers under test open keys the production way.
  const interaction = sealForStorage(interactionSchema.parse(input), sealingKeyFromEnv());
  await client.schedule.create({
    scheduleId: scheduleId(interaction.id),
    spec: { intervals: [{ every: '365d' }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'syncInteraction',
      workflowId: `sync-${interaction.id}`,
      taskQueue,
      args: [{ interactionId: interaction.id, interaction }],
    },
    memo: {
      [INTERACTION_MEMO_KEY]: {
        id: interaction.id,
        name: interaction.name,
        resource: interaction.resource,
        registeredAt: new Date().toISOString(),
      },
    },
    state: { paused: true, note: 'test fixture' },
  });
  return interaction;
}

export function runSync(client: Client, taskQueue: string, input: SyncInput): Promise<SyncSummary> {
  return client.workflow.execute('syncInteraction', {
    taskQueue,
    workflowId: `sync-${input.interactionId}-${Date.now()}`,
    args: [input],
  });
}

export interface EmulatedInteraction {
  account: AccountInfo;
  queueUrl: string;
  id: string;
  /** Ids of the account's objects of the interaction's resource created in [gte, lt). */
  idsCreatedIn(gte: number, lt: number): Promise<string[]>;
}

/**
 * The usual engine-test setup: an emulator account, a fresh SQS queue, and an interaction over both
 * (stored with storeInteraction) whose runs go to `taskQueue`.
 */
export async function emulatedInteraction(
  client: Client,
  sqs: SQSClient,
  o: {
    prefix: string;
    taskQueue: string;
    account: AccountSpec;
    resource?: ResourceName;
    queueAttributes?: Record<string, string>;
  },
): Promise<EmulatedInteraction> {
  const admin = emulatorAdmin(services().emulatorUrl);
  const account = await admin.createAccount(o.account);
  const queueUrl = await createQueue(sqs, uniqueName(o.prefix), o.queueAttributes);
  const id = uniqueName(o.prefix);
  const resource = o.resource ?? 'charges';
  await storeInteraction(
    client,
    {
      id,
      name: id,
      resource,
      frequency: 'daily',
      stripeKey: account.keys.restricted,
      queueUrl,
      stripeApiBase: services().emulatorUrl,
    },
    o.taskQueue,
  );
  const idsCreatedIn = async (gte: number, lt: number) =>
    (await admin.objects(account.id, resource))
      .filter((x) => x.created >= gte && x.created < lt)
      .map((x) => x.id);
  return { account, queueUrl, id, idsCreatedIn };
}
