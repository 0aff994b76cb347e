import { FAILURE } from './failure-types';
import { BACKFILL_WORKFLOW_TYPE, type MessageCompression } from './interaction';
import { createHash } from 'node:crypto';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import type { ResourceName } from '../stripe/resources';

// The message format on the extraction queue (documented in docs/messages.md). Snapshot pages are
// schema 1 (they only gained `content`); change messages are schema 2, because a schema-1 consumer
// would upsert a deleted object. Bump on any incompatible change.
export const SCHEMA_VERSION = 1;
export const CHANGES_SCHEMA_VERSION = 2;

export type RunKind = 'scheduled' | 'backfill';

/** The run kind of a page, from the type of the workflow that asked for it (pages do not carry it: history stays small). */
export function runKindOf(workflowType: string | undefined): RunKind {
  return workflowType === BACKFILL_WORKFLOW_TYPE ? 'backfill' : 'scheduled';
}

export interface EnvelopeContext {
  interaction: { id: string; name: string; resource: ResourceName };
  run: { kind: RunKind; workflowId: string; runId: string };
  page: {
    /** The created-time slice this page belongs to (half-open: gte ≤ created < lt). */
    slice: { id: number; createdGte: number; createdLt: number };
    /** Page number within the slice, from 0. */
    index: number;
    /** The `starting_after` cursor the page was requested with (null for a slice's first page). */
    startingAfter: string | null;
    objectCount: number;
  };
  /** When the page was first requested; stable across retries so retried messages are byte-identical. */
  fetchedAt: string;
  livemode: boolean;
}

export interface Envelope extends EnvelopeContext {
  schemaVersion: number;
  content: 'snapshot';
  /** Same for every delivery of this message: FIFO dedup id, and the key standard-queue consumers dedupe on. */
  dedupId: string;
  part: number;
  parts: number;
  objects: unknown[];
}

export type ChangeKind = 'created' | 'updated' | 'deleted';

/** One changed object, from the newest event about it in the run's window. */
export interface Change {
  kind: ChangeKind;
  eventId: string;
  eventType: string;
  /** The event's `created` (unix seconds). */
  eventCreated: number;
  /** The API version the object is rendered in: the account's at the time of the event, not the pinned one. */
  apiVersion: string | null;
  /** The object as of the event; for `deleted`, its last state. */
  object: { id: string; [field: string]: unknown };
}

export interface ChangesContext {
  interaction: EnvelopeContext['interaction'];
  run: EnvelopeContext['run'];
  /** The events window this run read (unix seconds, half-open on event `created`). */
  window: { createdGte: number; createdLt: number };
  page: { index: number; changeCount: number };
  fetchedAt: string;
  livemode: boolean;
}

export interface ChangesEnvelope extends ChangesContext {
  schemaVersion: typeof CHANGES_SCHEMA_VERSION;
  content: 'changes';
  dedupId: string;
  part: number;
  parts: number;
  changes: Change[];
}

export interface OutgoingMessage {
  dedupId: string;
  body: string;
  bytes: number;
  /** Set when the body is compressed: the value of the CONTENT_ENCODING_ATTRIBUTE message attribute. */
  encoding?: 'gzip';
}

/** Message attribute naming how a body is encoded; absent on plain JSON bodies. */
export const CONTENT_ENCODING_ATTRIBUTE = 'compound-content-encoding';

/** A message body as JSON text, from its body and CONTENT_ENCODING_ATTRIBUTE (what a consumer does). */
export function decodeMessageBody(body: string, encoding: string | undefined): string {
  if (encoding === undefined) return body;
  if (encoding === 'gzip') return gunzipSync(Buffer.from(body, 'base64')).toString('utf8');
  throw new Error(`unknown ${CONTENT_ENCODING_ATTRIBUTE} "${encoding}": this consumer knows gzip`);
}

/** The envelope's JSON text of a received SQS message (received with its message attributes). */
export function envelopeJsonOf(message: {
  Body?: string;
  MessageAttributes?: Record<string, { StringValue?: string }>;
}): string {
  return decodeMessageBody(
    message.Body ?? '',
    message.MessageAttributes?.[CONTENT_ENCODING_ATTRIBUTE]?.StringValue,
  );
}

export class ObjectTooLargeError extends Error {
  override name: string = FAILURE.objectTooLarge;
  constructor(
    readonly objectId: string,
    readonly objectBytes: number,
    readonly maxBytes: number,
  ) {
    super(
      `Stripe object ${objectId} is ${objectBytes} bytes as JSON, more than fits in one SQS message ` +
        `(limit ${maxBytes} bytes with the envelope). Raise the queue's MaximumMessageSize (up to 1 MiB) and ` +
        `COMPOUND_SQS_MAX_MESSAGE_BYTES, or exclude the object.`,
    );
  }
}

/** Room kept for message attributes, which count towards SQS's size limit. */
export const ATTRIBUTE_ALLOWANCE = 1024;

function dedupIdFor(pageKey: string, part: number, parts: number): string {
  return createHash('sha256').update(`${pageKey}|${part}/${parts}`).digest('hex');
}

/**
 * Turns one page into the messages that carry it, each at most maxMessageBytes (with attributes).
 * Deterministic: the same page and context give byte-identical messages with the same dedup ids.
 * `pageKey` identifies the page position (same on every retry of the same fetch).
 */
export function buildMessages(
  context: EnvelopeContext,
  objects: readonly { id?: string }[],
  pageKey: string,
  maxMessageBytes: number,
  compression: MessageCompression = 'none',
): OutgoingMessage[] {
  const fields = { schemaVersion: SCHEMA_VERSION, content: 'snapshot' };
  return pack(
    (dedupId, part, parts) => head({ ...fields, dedupId, part, parts, ...context }, 'objects'),
    objects.map((o) => JSON.stringify(o)),
    (i) => objects[i].id ?? `#${i}`,
    pageKey,
    maxMessageBytes,
    compression,
  );
}

/** The messages for one page of changes (schema 2): the same packing and dedup ids as snapshot pages. */
export function buildChangeMessages(
  context: ChangesContext,
  changes: readonly Change[],
  pageKey: string,
  maxMessageBytes: number,
  compression: MessageCompression = 'none',
): OutgoingMessage[] {
  const fields = { schemaVersion: CHANGES_SCHEMA_VERSION, content: 'changes' };
  return pack(
    (dedupId, part, parts) => head({ ...fields, dedupId, part, parts, ...context }, 'changes'),
    changes.map((c) => JSON.stringify(c)),
    (i) => changes[i].object.id,
    pageKey,
    maxMessageBytes,
    compression,
  );
}

function pack(
  headFor: (dedupId: string, part: number, parts: number) => string,
  json: string[],
  idOf: (i: number) => string,
  pageKey: string,
  maxMessageBytes: number,
  compression: MessageCompression,
): OutgoingMessage[] {
  const sizes = json.map((s) => Buffer.byteLength(s));
  // The envelope without items, at its largest (long part numbers, a full dedup id).
  const overhead =
    Buffer.byteLength(headFor('x'.repeat(64), 99999, 99999)) + Buffer.byteLength(TAIL) + ATTRIBUTE_ALLOWANCE;
  const budget = maxMessageBytes - overhead;
  sizes.forEach((size, i) => {
    if (size > budget) throw new ObjectTooLargeError(idOf(i), size, maxMessageBytes);
  });
  // Parts are cut by their JSON size. Compressed, a part is far smaller; one that is not (content gzip
  // cannot shrink, which base64 then grows by a third) is cut again into smaller parts.
  for (let within = budget; ; within = Math.floor(within / 2)) {
    const groups = groupsWithin(sizes, within);
    const messages = groups.map(({ indexes, bytes }, i) => {
      const dedupId = dedupIdFor(pageKey, i + 1, groups.length);
      const start = headFor(dedupId, i + 1, groups.length);
      const body = start + indexes.map((j) => json[j]).join(',') + TAIL;
      // Summed from the parts: measuring the body would first copy it into one flat string (~0.4 ms a page).
      return encoded(dedupId, body, Buffer.byteLength(start) + bytes + TAIL.length, compression);
    });
    const tooLarge = messages.findIndex((m) => m.bytes > maxMessageBytes - ATTRIBUTE_ALLOWANCE);
    if (tooLarge < 0) return messages;
    const group = groups[tooLarge].indexes;
    if (group.length === 1)
      throw new ObjectTooLargeError(idOf(group[0]), messages[tooLarge].bytes, maxMessageBytes);
  }
}

/** Item indexes in order, in groups whose JSON (with commas) stays within `within` bytes, and that JSON's bytes. */
function groupsWithin(sizes: number[], within: number): { indexes: number[]; bytes: number }[] {
  const groups: { indexes: number[]; bytes: number }[] = [];
  let current = { indexes: [] as number[], bytes: 0 };
  sizes.forEach((size, i) => {
    const extra = size + (current.indexes.length ? 1 : 0);
    if (current.indexes.length && current.bytes + extra > within) {
      groups.push(current);
      current = { indexes: [], bytes: 0 };
    }
    current.bytes += size + (current.indexes.length ? 1 : 0);
    current.indexes.push(i);
  });
  if (current.indexes.length || groups.length === 0) groups.push(current);
  return groups;
}

function encoded(
  dedupId: string,
  body: string,
  bytes: number,
  compression: MessageCompression,
): OutgoingMessage {
  if (compression === 'none') return { dedupId, body, bytes };
  // The fastest level: it already shrinks a page of charges ~7× (emulator data), and the worker’s CPU is the cost.
  const gzipped = gzipSync(body, { level: constants.Z_BEST_SPEED }).toString('base64');
  return { dedupId, body: gzipped, bytes: gzipped.length, encoding: 'gzip' };
}

const TAIL = ']}';

function head(withoutItems: object, itemsKey: string): string {
  return JSON.stringify(withoutItems).slice(0, -1) + `,"${itemsKey}":[`;
}
