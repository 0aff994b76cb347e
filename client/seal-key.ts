import type { KeyObject } from 'node:crypto';
import type { Interaction } from '../common/interaction';
import { maskKey } from '../common/mask';
import { isSealed, loadSealingPublicKey, MISSING_SEALING_KEY, seal } from '../common/sealed-keys';
import { UsageError } from './errors';
import { withLocalStackKey } from './local-stack-key';

/** The public key interactions are sealed with, or a usage error that says how to get one. */
export function sealingKeyFromEnv(env = process.env): KeyObject {
  try {
    return loadSealingPublicKey(withLocalStackKey(env));
  } catch (err) {
    throw new UsageError((err as Error).message || MISSING_SEALING_KEY);
  }
}

/**
 * The interaction as it is stored: its Stripe key sealed for the workers, with a display hint. A key
 * stored before sealing existed is sealed now (every update migrates it).
 */
export function sealForStorage(interaction: Interaction, sealingKey: KeyObject): Interaction {
  if (isSealed(interaction.stripeKey)) return interaction;
  return {
    ...interaction,
    stripeKey: seal(interaction.stripeKey, sealingKey),
    stripeKeyHint: maskKey(interaction.stripeKey),
  };
}
