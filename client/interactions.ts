// The typed client library behind `compound interactions …`. Every function validates its input and
// throws UsageError for anything the caller must fix (exit code 2 in the CLI); it never prints.
// The interaction's Temporal Schedule is its only record (see DESIGN.md): the full interaction, key
// sealed, lives in the schedule action's arguments, which the client's payload codec encrypts.
// One module per concern; this one gathers them for callers.

export { BACKFILL_WORKFLOW_TYPE, SYNC_WORKFLOW_TYPE, syncWorkflowId } from '../common/interaction';
export type { InteractionView, RunStatus, RunView } from './interaction-view';
export * from './interaction-input';
export * from './interaction-create';
export * from './interaction-list';
export * from './interaction-runs';
export * from './interaction-lifecycle';
