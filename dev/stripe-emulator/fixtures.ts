import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from './json';

// Example objects, one per Stripe object type, from stripe-mock's fixtures (fixtures/, copied verbatim
// from github.com/stripe/stripe-mock v0.197.0, MIT). Every registry resource without a hand-written
// renderer is served in its fixture's shape (render-generic.ts), so its fields are Stripe's own.

const FILE = join(__dirname, 'fixtures', 'stripe-mock-fixtures3.json');
const fixtures = JSON.parse(readFileSync(FILE, 'utf8')) as { resources: Record<string, JsonObject> };

/** stripe-mock writes this time wherever an object has a timestamp. */
export const FIXTURE_TIME = 1234567890;

/**
 * The example object of a type. A type stripe-mock lacks gets a bare object (id, object, created,
 * livemode, metadata) so a new registry entry is still served, if thinly.
 */
export function fixtureObject(object: string): JsonObject {
  const found = fixtures.resources[object];
  if (found) return structuredClone(found);
  const prefix = object.replace(/[^a-z]+/g, '_').replace(/_$/, '');
  return {
    id: `${prefix}_1Fixture000000000000000`,
    object,
    created: FIXTURE_TIME,
    livemode: false,
    metadata: {},
  };
}
