import type { Account } from './account';
import { PERMISSIONS, SERVED } from './catalog';
import { emptyKey, invalidKey, missingKey, missingPermission } from './errors';
import type { KeyKind, Store } from './store';
import { MUTABLE_RESOURCES, type ResourceName } from './types';

// API keys as Stripe takes them: `Authorization: Bearer <key>` (stripe-node) or Basic with the key
// as user name (`curl -u sk_test_…:`). Restricted keys carry read permissions, named as the
// registry names them; one permission may cover several resources (rak_subscription_read covers
// subscriptions and subscription schedules, rak_invoice_read invoices and invoice items).

export interface Authenticated {
  account: Account;
  kind: KeyKind;
  key: string;
  /** the key's own permissions, for keys made by addRestrictedKey */
  grants?: ReadonlySet<string>;
}

const ALL_PERMISSIONS: ReadonlySet<string> = new Set(PERMISSIONS);

/**
 * The permissions each kind of key holds: `restricted` every read; `restrictedNoSubscriptions` every
 * registry resource's but subscriptions' (and, as ever, not events'), for tests of a key that can
 * read one resource but not another.
 */
const GRANTS: Record<KeyKind, ReadonlySet<string>> = {
  secret: ALL_PERMISSIONS,
  restricted: ALL_PERMISSIONS,
  restrictedNoSubscriptions: new Set(
    MUTABLE_RESOURCES.map((r) => SERVED[r].permission).filter((p) => p !== SERVED.subscriptions.permission),
  ),
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
  return { account: found.account, kind: found.kind, key, grants: found.grants };
}

export function requirePermission(auth: Authenticated, resource: ResourceName): void {
  const permission = SERVED[resource].permission;
  if (!(auth.grants ?? GRANTS[auth.kind]).has(permission))
    throw missingPermission(auth.key, auth.account.id, permission);
}
