// The Stripe resources Compound can sync, and what each needs from Stripe's list endpoint.
export const RESOURCE_NAMES = ['charges', 'products', 'subscriptions'] as const;
export type ResourceName = (typeof RESOURCE_NAMES)[number];

export interface ResourceSpec {
  name: ResourceName;
  /** Human label used in messages ("Charges"). */
  label: string;
  /** Restricted-key permission that grants read access, as Stripe names it in 403s. */
  permission: string;
  /** Extra list parameters needed to see every object (Stripe hides canceled subscriptions by default). */
  listParams: Record<string, string>;
  /** Frequencies this resource may be scheduled at. */
  frequencies: readonly Frequency[];
}

export const FREQUENCIES = ['hourly', 'daily', 'monthly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

export const RESOURCES: Record<ResourceName, ResourceSpec> = {
  charges: {
    name: 'charges',
    label: 'Charges',
    permission: 'rak_charge_read',
    listParams: {},
    frequencies: FREQUENCIES,
  },
  products: {
    name: 'products',
    label: 'Products',
    permission: 'rak_product_read',
    listParams: {},
    frequencies: FREQUENCIES,
  },
  subscriptions: {
    name: 'subscriptions',
    label: 'Subscriptions',
    permission: 'rak_subscription_read',
    listParams: { status: 'all' },
    // The product this replaces offered subscriptions only daily or monthly.
    frequencies: ['daily', 'monthly'],
  },
};

export function isResourceName(value: string): value is ResourceName {
  return (RESOURCE_NAMES as readonly string[]).includes(value);
}
