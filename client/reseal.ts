import type { KeyObject } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { scheduleId } from '../common/interaction';
import { maskKey, redactSecrets } from '../common/mask';
import { isSealed, keyId, seal, type Opener } from '../common/sealed-keys';
import { interactionFromDescription } from './interaction-view';
import { listInteractionIds, scheduleAction } from './interactions';

// Migration and rotation in one command: every interaction's Stripe key ends sealed with the current
// public key. Keys stored in plaintext by versions before sealing need only the public key; keys
// sealed with an older key pair need that pair's private key to be opened first (so this runs where
// the workers' private keys are, during a rotation).

export interface ResealOutcome {
  id: string;
  was: 'plaintext' | 'older key' | 'current key';
  resealed: boolean;
  problem?: string;
}

export async function resealKeys(
  client: Client,
  sealingKey: KeyObject,
  open?: Opener,
): Promise<ResealOutcome[]> {
  const current = keyId(sealingKey);
  const outcomes: ResealOutcome[] = [];
  for (const id of await listInteractionIds(client)) {
    const handle = client.schedule.getHandle(scheduleId(id));
    try {
      const stored = interactionFromDescription(await handle.describe());
      const was = !isSealed(stored.stripeKey)
        ? 'plaintext'
        : stored.stripeKey.split(':')[2] === current
          ? 'current key'
          : 'older key';
      if (was === 'current key') {
        outcomes.push({ id, was, resealed: false });
        continue;
      }
      if (was === 'older key' && !open) {
        outcomes.push({
          id,
          was,
          resealed: false,
          problem:
            'sealed with an older key pair: run with COMPOUND_SEALING_PRIVATE_KEYS_FILE holding that private key',
        });
        continue;
      }
      const plaintext = was === 'plaintext' ? stored.stripeKey : open!(stored.stripeKey);
      await handle.update((prev) => ({
        ...prev,
        action: scheduleAction(
          {
            ...stored,
            stripeKey: seal(plaintext, sealingKey),
            stripeKeyHint: stored.stripeKeyHint ?? maskKey(plaintext),
          },
          prev.action.type === 'startWorkflow' ? prev.action.taskQueue : '',
        ),
      }));
      outcomes.push({ id, was, resealed: true });
    } catch (err) {
      outcomes.push({
        id,
        was: 'current key',
        resealed: false,
        problem: redactSecrets((err as Error).message),
      });
    }
  }
  return outcomes;
}
