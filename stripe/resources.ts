// The registry of Stripe resources Compound syncs: everything the product knows about each list
// endpoint lives in its entry, so adding a resource is adding an entry. Pure data (workflows import it).
// Checked against Stripe's OpenAPI spec by test/integration/stripe-mock-conformance.test.ts.

export const FREQUENCIES = ['hourly', 'daily', 'monthly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

export interface ResourceEvents {
  /**
   * Event types whose `data.object` is this resource's object in a new state (creations included).
   * The first is the one the emulator writes for an update when the resource has no `.updated` type.
   */
  changed: readonly string[];
  /** Event types that mean the object no longer exists (a tombstone downstream). */
  deleted: readonly string[];
}

export interface ResourceSpec {
  /** The name interactions use (`--resource`): the list path's last segments, `_`-joined. */
  name: string;
  /** Human label used in messages ("Checkout Sessions"). */
  label: string;
  /** The list endpoint. */
  path: string;
  /** The `object` field of what the list returns. */
  object: string;
  /** Extra list parameters without which the list would not be complete (Stripe hides some by default). */
  listParams: Readonly<Record<string, string>>;
  /**
   * Whether the list takes a `created` filter. Without one the resource is walked in a single slice,
   * sequentially, and backfills of a date range are refused (Stripe cannot select one).
   */
  createdFilter: boolean;
  /** The object field holding its creation time (`date` on invoice items). */
  createdField: string;
  /** Frequencies this resource may be scheduled at. */
  frequencies: readonly Frequency[];
  /** Restricted-key permission that grants read access, as Stripe names it in its 403 messages. */
  permission: string;
  /** Events about this resource; none means the resource can only be synced by snapshots. */
  events: ResourceEvents;
}

const ALL: readonly Frequency[] = FREQUENCIES;

/** A resource whose events are `<prefix>.created`, `.updated` and optionally `.deleted`. */
function crud(prefix: string, o: { deleted?: boolean; more?: string[] } = {}): ResourceEvents {
  return {
    changed: [`${prefix}.created`, `${prefix}.updated`, ...(o.more ?? []).map((m) => `${prefix}.${m}`)],
    deleted: o.deleted ? [`${prefix}.deleted`] : [],
  };
}

const entries = [
  {
    name: 'charges',
    label: 'Charges',
    path: '/v1/charges',
    object: 'charge',
    permission: 'rak_charge_read',
    events: {
      changed: [
        'charge.succeeded',
        'charge.captured',
        'charge.expired',
        'charge.failed',
        'charge.pending',
        'charge.refunded',
        'charge.updated',
      ],
      deleted: [],
    },
  },
  {
    name: 'customers',
    label: 'Customers',
    path: '/v1/customers',
    object: 'customer',
    permission: 'rak_customer_read',
    events: crud('customer', { deleted: true }),
  },
  {
    name: 'products',
    label: 'Products',
    path: '/v1/products',
    object: 'product',
    permission: 'rak_product_read',
    events: crud('product', { deleted: true }),
  },
  {
    name: 'prices',
    label: 'Prices',
    path: '/v1/prices',
    object: 'price',
    permission: 'rak_price_read',
    events: crud('price', { deleted: true }),
  },
  {
    name: 'plans',
    label: 'Plans',
    path: '/v1/plans',
    object: 'plan',
    permission: 'rak_plan_read',
    events: crud('plan', { deleted: true }),
  },
  {
    name: 'subscriptions',
    label: 'Subscriptions',
    path: '/v1/subscriptions',
    object: 'subscription',
    // Stripe leaves canceled subscriptions out of the list unless asked for every status.
    listParams: { status: 'all' },
    // The product this replaces offered subscriptions only daily or monthly.
    frequencies: ['daily', 'monthly'] as const,
    permission: 'rak_subscription_read',
    // customer.subscription.deleted is a cancellation: the subscription is still listed, canceled.
    events: crud('customer.subscription', {
      more: [
        'deleted',
        'paused',
        'resumed',
        'pending_update_applied',
        'pending_update_expired',
        'trial_will_end',
      ],
    }),
  },
  {
    name: 'subscription_schedules',
    label: 'Subscription Schedules',
    path: '/v1/subscription_schedules',
    object: 'subscription_schedule',
    permission: 'rak_subscription_read',
    events: crud('subscription_schedule', {
      more: ['aborted', 'canceled', 'completed', 'expiring', 'released'],
    }),
  },
  {
    name: 'invoices',
    label: 'Invoices',
    path: '/v1/invoices',
    object: 'invoice',
    permission: 'rak_invoice_read',
    // Only draft invoices can be deleted; invoice.upcoming carries no stored invoice and is left out.
    events: crud('invoice', {
      deleted: true,
      more: [
        'finalization_failed',
        'finalized',
        'marked_uncollectible',
        'overdue',
        'overpaid',
        'paid',
        'payment_action_required',
        'payment_failed',
        'payment_succeeded',
        'sent',
        'voided',
        'will_be_due',
      ],
    }),
  },
  {
    name: 'invoiceitems',
    label: 'Invoice Items',
    path: '/v1/invoiceitems',
    object: 'invoiceitem',
    createdField: 'date',
    permission: 'rak_invoice_read',
    events: { changed: ['invoiceitem.created'], deleted: ['invoiceitem.deleted'] },
  },
  {
    name: 'payment_intents',
    label: 'Payment Intents',
    path: '/v1/payment_intents',
    object: 'payment_intent',
    permission: 'rak_payment_intent_read',
    events: {
      changed: [
        'payment_intent.succeeded',
        'payment_intent.amount_capturable_updated',
        'payment_intent.canceled',
        'payment_intent.created',
        'payment_intent.partially_funded',
        'payment_intent.payment_failed',
        'payment_intent.processing',
        'payment_intent.requires_action',
      ],
      deleted: [],
    },
  },
  {
    name: 'setup_intents',
    label: 'Setup Intents',
    path: '/v1/setup_intents',
    object: 'setup_intent',
    permission: 'rak_setup_intent_read',
    events: {
      changed: [
        'setup_intent.succeeded',
        'setup_intent.canceled',
        'setup_intent.created',
        'setup_intent.requires_action',
        'setup_intent.setup_failed',
      ],
      deleted: [],
    },
  },
  {
    name: 'refunds',
    label: 'Refunds',
    path: '/v1/refunds',
    object: 'refund',
    permission: 'rak_refund_read',
    events: {
      changed: ['refund.created', 'refund.updated', 'refund.failed', 'charge.refund.updated'],
      deleted: [],
    },
  },
  {
    name: 'disputes',
    label: 'Disputes',
    path: '/v1/disputes',
    object: 'dispute',
    permission: 'rak_dispute_read',
    events: {
      changed: [
        'charge.dispute.closed',
        'charge.dispute.created',
        'charge.dispute.funds_reinstated',
        'charge.dispute.funds_withdrawn',
        'charge.dispute.updated',
      ],
      deleted: [],
    },
  },
  {
    name: 'payouts',
    label: 'Payouts',
    path: '/v1/payouts',
    object: 'payout',
    permission: 'rak_payout_read',
    events: crud('payout', { more: ['canceled', 'failed', 'paid', 'reconciliation_completed'] }),
  },
  {
    name: 'balance_transactions',
    label: 'Balance Transactions',
    path: '/v1/balance_transactions',
    object: 'balance_transaction',
    permission: 'rak_balance_read',
    // Stripe sends no events about balance transactions: snapshots only.
    events: { changed: [], deleted: [] },
  },
  {
    name: 'transfers',
    label: 'Transfers',
    path: '/v1/transfers',
    object: 'transfer',
    permission: 'rak_transfer_read',
    events: crud('transfer', { more: ['reversed'] }),
  },
  {
    name: 'coupons',
    label: 'Coupons',
    path: '/v1/coupons',
    object: 'coupon',
    permission: 'rak_coupon_read',
    events: crud('coupon', { deleted: true }),
  },
  {
    name: 'promotion_codes',
    label: 'Promotion Codes',
    path: '/v1/promotion_codes',
    object: 'promotion_code',
    permission: 'rak_promotion_code_read',
    events: crud('promotion_code'),
  },
  {
    name: 'tax_rates',
    label: 'Tax Rates',
    path: '/v1/tax_rates',
    object: 'tax_rate',
    permission: 'rak_tax_rate_read',
    events: crud('tax_rate'),
  },
  {
    name: 'credit_notes',
    label: 'Credit Notes',
    path: '/v1/credit_notes',
    object: 'credit_note',
    permission: 'rak_credit_note_read',
    events: crud('credit_note', { more: ['voided'] }),
  },
  {
    name: 'checkout_sessions',
    label: 'Checkout Sessions',
    path: '/v1/checkout/sessions',
    object: 'checkout.session',
    permission: 'rak_checkout_session_read',
    events: {
      changed: [
        'checkout.session.completed',
        'checkout.session.async_payment_failed',
        'checkout.session.async_payment_succeeded',
        'checkout.session.expired',
      ],
      deleted: [],
    },
  },
  {
    name: 'shipping_rates',
    label: 'Shipping Rates',
    path: '/v1/shipping_rates',
    object: 'shipping_rate',
    permission: 'rak_shipping_rate_read',
    // Stripe sends no events about shipping rates: snapshots only.
    events: { changed: [], deleted: [] },
  },
  {
    name: 'topups',
    label: 'Top-ups',
    path: '/v1/topups',
    object: 'topup',
    permission: 'rak_topup_read',
    events: {
      changed: ['topup.succeeded', 'topup.canceled', 'topup.created', 'topup.failed', 'topup.reversed'],
      deleted: [],
    },
  },
  {
    name: 'application_fees',
    label: 'Application Fees',
    path: '/v1/application_fees',
    object: 'application_fee',
    permission: 'rak_application_fee_read',
    events: { changed: ['application_fee.created', 'application_fee.refunded'], deleted: [] },
  },
  {
    name: 'reviews',
    label: 'Reviews',
    path: '/v1/reviews',
    object: 'review',
    permission: 'rak_review_read',
    events: { changed: ['review.opened', 'review.closed'], deleted: [] },
  },
  {
    name: 'payment_links',
    label: 'Payment Links',
    path: '/v1/payment_links',
    object: 'payment_link',
    createdFilter: false,
    permission: 'rak_payment_link_read',
    events: crud('payment_link'),
  },
  {
    name: 'quotes',
    label: 'Quotes',
    path: '/v1/quotes',
    object: 'quote',
    createdFilter: false,
    permission: 'rak_quote_read',
    events: {
      changed: ['quote.finalized', 'quote.accepted', 'quote.canceled', 'quote.created'],
      deleted: [],
    },
  },
] as const;

export type ResourceName = (typeof entries)[number]['name'];
export const RESOURCE_NAMES = entries.map((e) => e.name) as unknown as readonly [
  ResourceName,
  ...ResourceName[],
];

/** Every registry entry with its defaults filled in: most lists need no extra parameters, take `created`, run at any frequency. */
export const RESOURCES: Readonly<Record<ResourceName, ResourceSpec>> = Object.fromEntries(
  entries.map((e): [string, ResourceSpec] => [
    e.name,
    {
      listParams: {},
      createdFilter: true,
      createdField: 'created',
      frequencies: ALL,
      ...e,
    },
  ]),
) as Record<ResourceName, ResourceSpec>;

export function isResourceName(value: string): value is ResourceName {
  return Object.prototype.hasOwnProperty.call(RESOURCES, value);
}

/** Whether runs of the resource can read changes from Stripe's events instead of a full snapshot. */
export function hasEvents(resource: ResourceName): boolean {
  const { changed, deleted } = RESOURCES[resource].events;
  return changed.length + deleted.length > 0;
}

/** The resource whose list returns objects of this type (`checkout.session` → checkout_sessions). */
export function resourceForObject(object: string): ResourceSpec | undefined {
  return Object.values(RESOURCES).find((r) => r.object === object);
}

/** Names close to a mistyped one, best first: shared prefix, substring, or a small edit distance. */
export function closeResourceNames(input: string, max = 3): ResourceName[] {
  const wanted = input
    .trim()
    .toLowerCase()
    .replace(/[\s.-]+/g, '_');
  const score = (name: string): number => {
    if (name === wanted || name === `${wanted}s`) return 0;
    if (name.includes(wanted) || wanted.includes(name)) return 1;
    return 1 + editDistance(name, wanted);
  };
  return RESOURCE_NAMES.map((name) => ({ name, s: score(name) }))
    .filter(({ name, s }) => s <= Math.max(2, Math.floor(name.length / 3)))
    .sort((a, b) => a.s - b.s || a.name.localeCompare(b.name))
    .slice(0, max)
    .map(({ name }) => name);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}
