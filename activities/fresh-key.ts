import type { Interaction } from '../common/interaction';
import { classifyStripeError } from '../stripe/errors';

/**
 * Interactions are cached for a few seconds. When Stripe refuses the key, the interaction is read
 * again: if its key was rotated meanwhile, the request is made once more with the new key, so a
 * request made after `interactions update` returns never fails on the old key.
 */
export async function withFreshKey<T>(
  deps: { getInteraction(id: string, o?: { fresh?: boolean }): Promise<Interaction> },
  interaction: Interaction,
  request: (current: Interaction) => Promise<T>,
): Promise<T> {
  try {
    return await request(interaction);
  } catch (err) {
    const { kind } = classifyStripeError(err);
    if (kind !== 'invalidKey' && kind !== 'missingPermission') throw err;
    const fresh = await deps.getInteraction(interaction.id, { fresh: true });
    if (fresh.stripeKey === interaction.stripeKey) throw err;
    return request(fresh);
  }
}
