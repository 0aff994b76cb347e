// Everything the worker's workflow bundle contains.
export { syncInteraction } from './sync';
export { backfillInteraction } from './backfill';
