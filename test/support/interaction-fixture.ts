import type { Client } from '@temporalio/client';
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
  const interaction = interactionSchema.parse(input);
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
