import { SERVED } from './catalog';
import { fixtureObject } from './fixtures';
import { base62, type Rng } from './random';
import { MUTABLE_RESOURCES, type Mode, type MutableResource } from './types';

// The shape of each resource's ids: the prefix and length of its fixture's id (`cus_` + 14,
// `cs_test_` + 58), so objects look like Stripe's. The three hand-rendered resources keep the
// shape they always had, so existing accounts keep their ids.

export interface IdShape {
  /** prefix in test mode (`cs_test_`); `_test_` becomes `_live_` in live mode */
  prefix: string;
  /** random characters after the prefix */
  length: number;
}

const HAND: Partial<Record<MutableResource, IdShape>> = {
  charges: { prefix: 'ch_', length: 24 },
  products: { prefix: 'prod_', length: 24 },
  subscriptions: { prefix: 'sub_', length: 24 },
};

/**
 * `sub_sched_1Pgc…` → `sub_sched_`: the prefix runs to the last underscore. Coupon ids have none
 * (`Z4OV52SU`, Stripe makes up 8 characters): they get no prefix and the same length.
 */
function shapeOf(fixtureId: string): IdShape {
  const cut = fixtureId.lastIndexOf('_') + 1;
  return { prefix: fixtureId.slice(0, cut), length: Math.max(8, fixtureId.length - cut) };
}

export const ID_SHAPES: Readonly<Record<MutableResource, IdShape>> = Object.fromEntries(
  MUTABLE_RESOURCES.map((r) => [r, HAND[r] ?? shapeOf(String(fixtureObject(SERVED[r].object).id))]),
) as Record<MutableResource, IdShape>;

export function idPrefix(resource: MutableResource, mode: Mode): string {
  const { prefix } = ID_SHAPES[resource];
  return mode === 'live' ? prefix.replace('_test_', '_live_') : prefix;
}

/** A generated object's id: the prefix then `length` random characters. */
export function randomId(prefix: string, resource: MutableResource, rng: Rng): string {
  return prefix + base62(rng, ID_SHAPES[resource].length);
}
