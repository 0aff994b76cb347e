import type { Account } from './account';
import { emptyKey, invalidKey, missingKey, missingPermission } from './errors';
import type { KeyKind, Store } from './store';
import type { ResourceName } from './types';

// API keys as Stripe takes them: `Authorization: Bearer <key>` (stripe-node) or Basic with the key
// as user name (`curl -u sk_test_…:`). Restricted keys carry per-resource read permissions.

export interface Authenticated {
  account: Account;
  kind: KeyKind;
  key: string;
}

export const PERMISSION: Record<ResourceName, string> = {
  charges: 'rak_charge_read',
  products: 'rak_product_read',
  subscriptions: 'rak_subscription_read',
  events: 'rak_event_read',
};

const GRANTS: Record<KeyKind, readonly ResourceName[]> = {
  secret: ['charges', 'products', 'subscriptions', 'events'],
  restricted: ['charges', 'products', 'subscriptions', 'events'],
  restrictedNoSubscriptions: ['charges', 'products'],
};

function keyFromHeader(header: string | undefined): string {
  if (header === undefined || header.trim() === '') throw missingKey();
  const [scheme, ...rest] = header.trim().split(/\s+/);
  const credentials = rest.join(' ');
  if (/^bearer$/i.test(scheme)) {
    if (!credentials) throw emptyKey(header.trim());
    return credentials;
  }
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const user = decoded.split(':')[0];
    if (!user) throw emptyKey(header.trim());
    return user;
  }
  // a bare key without a scheme is what some hand-written clients send; Stripe treats it as the key
  return scheme;
}

export function authenticate(store: Store, header: string | undefined): Authenticated {
  const key = keyFromHeader(header);
  const found = store.keys.get(key);
  if (!found) throw invalidKey(key);
  return { account: found.account, kind: found.kind, key };
}

export function requirePermission(auth: Authenticated, resource: ResourceName): void {
  if (!GRANTS[auth.kind].includes(resource))
    throw missingPermission(auth.key, auth.account.id, PERMISSION[resource]);
}
