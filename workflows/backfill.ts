import { CancellationScope, isCancellation } from '@temporalio/workflow';

export interface BackfillInput {
  interactionId: string;
}

/** Placeholder until the backfill issue lands: waits, idle, until the interaction is deleted (cancelled). */
export async function backfillInteraction(_input: BackfillInput): Promise<void> {
  try {
    await CancellationScope.current().cancelRequested;
  } catch (err) {
    if (isCancellation(err)) return;
    throw err;
  }
}
