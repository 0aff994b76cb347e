import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import type { Interaction } from '../common/interaction';
import type { ResourceName } from '../common/resources';
import type { CreatedRange } from '../common/slices';

// Pinned so a new stripe-node default cannot silently change the shape of what lands in SQS.
export const STRIPE_API_VERSION = '2026-10-28.endive';

export interface StripeListPage {
  data: Array<{ id: string; created: number; livemode?: boolean }>;
  has_more: boolean;
}

export interface StripeClientOptions {
  stripeKey: string;
  apiBase?: string;
  timeoutMs: number;
}

export function createStripeClient(o: StripeClientOptions): Stripe {
  const base = o.apiBase ? new URL(o.apiBase) : undefined;
  return new Stripe(o.stripeKey, {
    apiVersion: STRIPE_API_VERSION as Stripe.StripeConfig['apiVersion'],
    // Retrying is Temporal's job: one activity attempt is one HTTP request.
    maxNetworkRetries: 0,
    timeout: o.timeoutMs,
    telemetry: false,
    appInfo: { name: 'compound' },
    ...(base && {
      host: base.hostname,
      port: base.port || (base.protocol === 'https:' ? 443 : 80),
      protocol: base.protocol === 'https:' ? ('https' as const) : ('http' as const),
    }),
  });
}

export interface ListParams {
  limit: number;
  created: CreatedRange;
  starting_after?: string;
  [extra: string]: unknown;
}

export async function listPage(
  stripe: Stripe,
  resource: ResourceName,
  params: ListParams,
): Promise<StripeListPage> {
  const lists: Record<ResourceName, (p: ListParams) => Promise<StripeListPage>> = {
    charges: (p) => stripe.charges.list(p as Stripe.ChargeListParams),
    products: (p) => stripe.products.list(p as Stripe.ProductListParams),
    subscriptions: (p) => stripe.subscriptions.list(p as Stripe.SubscriptionListParams),
  };
  return lists[resource](params);
}

/** Identifies the Stripe account behind a key without keeping the key itself around. */
export function accountKeyFor(interaction: Pick<Interaction, 'stripeKey' | 'stripeApiBase'>): string {
  const fingerprint = createHash('sha256').update(interaction.stripeKey).digest('hex').slice(0, 16);
  return `${interaction.stripeApiBase ?? 'https://api.stripe.com'}|${fingerprint}`;
}

/** One client per key and API base, reused across activities (keep-alive connections). */
export function createStripeClientCache(timeoutMs: number) {
  const clients = new Map<string, Stripe>();
  return (interaction: Pick<Interaction, 'stripeKey' | 'stripeApiBase'>): Stripe => {
    const key = accountKeyFor(interaction);
    let client = clients.get(key);
    if (!client) {
      client = createStripeClient({
        stripeKey: interaction.stripeKey,
        apiBase: interaction.stripeApiBase,
        timeoutMs,
      });
      clients.set(key, client);
    }
    return client;
  };
}
