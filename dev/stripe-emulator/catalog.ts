import { RESOURCES as REGISTRY, type ResourceSpec } from '../../stripe/resources';
import { COLLECTIONS, MUTABLE_RESOURCES, type MutableResource, type ResourceName } from './types';

// What the emulator serves, read from the product's registry (stripe/resources.ts) plus events: a
// resource added to the registry is routed, listed, permission-checked and given events from its
// entry here, with no emulator change.

export type Served = Pick<
  ResourceSpec,
  'name' | 'path' | 'object' | 'permission' | 'createdFilter' | 'createdField' | 'listParams' | 'events'
>;

const EVENTS: Served = {
  name: 'events',
  path: '/v1/events',
  object: 'event',
  permission: 'rak_event_read',
  createdFilter: true,
  createdField: 'created',
  listParams: {},
  events: { changed: [], deleted: [] },
};

export const SERVED: Readonly<Record<ResourceName, Served>> = { ...REGISTRY, events: EVENTS };

/** `/v1/checkout/sessions` → checkout_sessions: list paths may have more than one segment. */
export const BY_PATH: ReadonlyMap<string, ResourceName> = new Map(
  COLLECTIONS.map((r) => [SERVED[r].path, r]),
);

/** Every read permission a restricted key may hold: the registry's and events'. */
export const PERMISSIONS: readonly string[] = [...new Set(COLLECTIONS.map((r) => SERVED[r].permission))];

export function isMutableResource(name: string): name is MutableResource {
  return (MUTABLE_RESOURCES as readonly string[]).includes(name);
}

// The event an admin mutation writes. A resource may lack the natural type (charges have no
// charge.created, invoice items no invoiceitem.updated): then the first `changed` type stands in,
// which is what the product reads as "this object, in a new state".

const withSuffix = (types: readonly string[], suffix: string): string | null =>
  types.find((t) => t.endsWith(suffix)) ?? types[0] ?? null;

export function creationEvent(resource: MutableResource): string | null {
  return withSuffix(SERVED[resource].events.changed, '.created');
}

export function updateEvent(resource: MutableResource): string | null {
  return withSuffix(SERVED[resource].events.changed, '.updated');
}

export function deletionEvent(resource: MutableResource): string | null {
  return SERVED[resource].events.deleted[0] ?? null;
}

/** The exact `.created` type, for generated accounts (no stand-in: see data.ts). */
export function createdEventType(resource: MutableResource): string | null {
  return SERVED[resource].events.changed.find((t) => t.endsWith('.created')) ?? null;
}
