import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { ResourceName } from '../stripe/resources';

// Registered on the server (`temporal server start-dev --search-attribute`, see dev/services.ts). Search
// attributes are not encrypted by the payload codec, so only the id and the resource go here, never a key.
export const COMPOUND_INTERACTION = defineSearchAttributeKey(
  'CompoundInteraction',
  SearchAttributeType.KEYWORD,
);
export const COMPOUND_RESOURCE = defineSearchAttributeKey('CompoundResource', SearchAttributeType.KEYWORD);

/** Set on the schedule, on every sync it starts and on the backfill workflow, so the Web UI can filter by interaction. */
export function interactionSearchAttributes(
  interactionId: string,
  resource: ResourceName,
): SearchAttributePair[] {
  return [
    { key: COMPOUND_INTERACTION, value: interactionId },
    { key: COMPOUND_RESOURCE, value: resource },
  ];
}
