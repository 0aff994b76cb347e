import { STRIPE_EPOCH, type CreatedRange } from './slices';

// Backfill requests arrive from people typing JSON into the Temporal Web UI, so parsing is forgiving in
// format and strict in meaning: every rejection says what was wrong and what would have worked.
// Pure (no Node APIs): the backfill workflow validates with it.

export type { CreatedRange } from './slices';

export type ParsedBackfillRequest =
  { ok: true; range: CreatedRange; note?: string } | { ok: false; reason: string };

export const BACKFILL_EXAMPLE = '{"from": "2024-01-01", "to": "2024-03-31"}';
export const BACKFILL_INTERVAL_EXAMPLE = '"2024-01-01/2024-03-31"';
const FORMATS =
  'an ISO 8601 date (2024-01-31), date-time (2024-01-31T12:00:00Z) or unix seconds (1706659200)';
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const DAY = 86400;

type Instant = { seconds: number; dateOnly: boolean };

/** 9999-12-31T23:59:59Z: the last second a date-time can spell; anything later is a unit mix-up. */
const LATEST_SECONDS = 253402300799;
/** A unit guess must land between Stripe's founding and this. */
const YEAR_2100 = 4102444800;
const UNIT_GUESSES: [divisor: number, unit: string][] = [
  [1e3, 'milliseconds'],
  [1e6, 'microseconds'],
  [1e9, 'nanoseconds'],
];

/** A short, printable rendering of any input: rejections quote it, and must stay small. */
export function preview(value: unknown, max = 80): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Deeply nested or cyclic: say what it is rather than what it holds.
    text = Array.isArray(value) ? '[…]' : typeof value === 'object' ? '{…}' : String(value);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

function parseSeconds(field: string, value: number | string): Instant | string {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0)
    return `"${field}" must be whole unix seconds, got ${preview(value)}`;
  if (seconds > LATEST_SECONDS) {
    // The everyday mistake: a JavaScript timestamp (milliseconds) where seconds were meant.
    const guess = UNIT_GUESSES.find(([d]) => seconds / d >= STRIPE_EPOCH && seconds / d < YEAR_2100);
    return guess
      ? `"${field}" ${preview(value)} looks like ${guess[1]}; unix seconds are expected: did you mean ${Math.floor(seconds / guess[0])} (${iso(Math.floor(seconds / guess[0]))})?`
      : `"${field}" ${preview(value)} is past the year 9999; use ${FORMATS}`;
  }
  if (!Number.isInteger(seconds)) return `"${field}" must be whole unix seconds, got ${preview(value)}`;
  return { seconds, dateOnly: false };
}

function parseInstant(field: string, value: unknown): Instant | string {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d{1,30}$/.test(value.trim()))) {
    return parseSeconds(field, value);
  }
  if (typeof value !== 'string') return `"${field}" must be ${FORMATS}; got ${preview(value)}`;
  const text = value.trim();
  if (DATE_ONLY.test(text) || DATE_TIME.test(text)) {
    const ms = Date.parse(DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text);
    // Date.parse rolls 2024-02-30 over to March; a real date survives the round trip.
    if (Number.isFinite(ms) && (!DATE_ONLY.test(text) || new Date(ms).toISOString().startsWith(text))) {
      return { seconds: Math.floor(ms / 1000), dateOnly: DATE_ONLY.test(text) };
    }
  }
  return `"${field}" is not a date: ${preview(value)}. Use ${FORMATS}`;
}

/** ISO form of unix seconds; never throws, whatever number it is given. */
const iso = (seconds: number) => {
  const date = new Date(seconds * 1000);
  return Number.isFinite(date.getTime()) ? date.toISOString().replace('.000Z', 'Z') : `${seconds} s`;
};

/**
 * `{ from, to? }` → a half-open created range. A date-only `to` includes that whole day (UTC); `to`
 * defaults to now. Ranges entirely in the future or before Stripe existed are rejected; one that
 * only reaches past either end is clipped (and says so in `note`).
 */
export function parseBackfillRequest(raw: unknown, nowSeconds: number): ParsedBackfillRequest {
  const input = typeof raw === 'string' ? (fromInterval(raw) ?? tryJson(raw)) : raw;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return {
      ok: false,
      reason: `expected a JSON object like ${BACKFILL_EXAMPLE} or an interval like ${BACKFILL_INTERVAL_EXAMPLE}; got ${preview(raw)}`,
    };
  }
  const fields = input as Record<string, unknown>;
  const undecodable = fields.undecodablePayload as { reason?: unknown } | undefined;
  if (undecodable && Object.keys(fields).length === 1) {
    // The marker common/payload-converter.ts puts in place of a payload nobody could read.
    return {
      ok: false,
      reason: `the signal's payload could not be read as JSON (${preview(undecodable.reason, 100)}); send JSON like ${BACKFILL_EXAMPLE}`,
    };
  }
  const unknown = Object.keys(fields).filter((k) => k !== 'from' && k !== 'to');
  if (unknown.length) {
    return {
      ok: false,
      reason: `unknown field${unknown.length > 1 ? 's' : ''} ${listFields(unknown)}: only "from" and "to" are accepted, e.g. ${BACKFILL_EXAMPLE}`,
    };
  }
  if (fields.from === undefined || fields.from === null || fields.from === '') {
    return { ok: false, reason: `"from" is required, e.g. ${BACKFILL_EXAMPLE}` };
  }
  const from = parseInstant('from', fields.from);
  if (typeof from === 'string') return { ok: false, reason: from };
  let lt = nowSeconds;
  if (fields.to !== undefined && fields.to !== null && fields.to !== '') {
    const to = parseInstant('to', fields.to);
    if (typeof to === 'string') return { ok: false, reason: to };
    lt = to.dateOnly ? to.seconds + DAY : to.seconds;
  }
  const gte = from.seconds;
  if (gte > nowSeconds)
    return {
      ok: false,
      reason: `the range starts in the future (${iso(gte)}); nothing can have been created there yet`,
    };
  if (gte >= lt) return { ok: false, reason: `"from" (${iso(gte)}) must be before "to" (${iso(lt)})` };
  if (lt <= STRIPE_EPOCH)
    return {
      ok: false,
      reason: `the range ends before Stripe existed (${iso(STRIPE_EPOCH)}); there is nothing to fetch`,
    };
  const notes: string[] = [];
  const range = { gte, lt };
  if (range.lt > nowSeconds + 1) {
    range.lt = nowSeconds + 1;
    notes.push(`"to" is in the future: clipped to now (${iso(nowSeconds)})`);
  }
  if (range.gte < STRIPE_EPOCH) {
    range.gte = STRIPE_EPOCH;
    notes.push(`"from" is before Stripe existed: clipped to ${iso(STRIPE_EPOCH)}`);
  }
  return notes.length ? { ok: true, range, note: notes.join('; ') } : { ok: true, range };
}

function listFields(names: string[]): string {
  const shown = names.slice(0, 3).map((k) => preview(k, 30));
  return names.length > shown.length
    ? `${shown.join(', ')} and ${names.length - shown.length} more`
    : shown.join(', ');
}

/**
 * An ISO 8601 interval, "2024-01-01/2024-03-31" or open-ended "2024-01-01/", as { from, to }. The Web
 * UI's signal dialog keeps a JSON string on one line when it reformats the input, so this form never
 * moves the dialog's Submit button (see the README).
 */
function fromInterval(text: string): { from: string; to?: string } | undefined {
  const m = /^\s*"?\s*([^/"\s]+)\s*\/\s*([^/"\s]*)\s*"?\s*$/.exec(text);
  if (!m) return undefined;
  return m[2] ? { from: m[1], to: m[2] } : { from: m[1] };
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function describeRange(r: CreatedRange): string {
  return `${iso(r.gte)} → ${iso(r.lt)}`;
}

/** Parts of `range` not covered by `cover` (0, 1 or 2 pieces). */
export function subtractRange(range: CreatedRange, cover: CreatedRange): CreatedRange[] {
  if (cover.lt <= range.gte || cover.gte >= range.lt) return [range];
  const pieces: CreatedRange[] = [];
  if (range.gte < cover.gte) pieces.push({ gte: range.gte, lt: cover.gte });
  if (cover.lt < range.lt) pieces.push({ gte: cover.lt, lt: range.lt });
  return pieces;
}

export function overlapsOrTouches(a: CreatedRange, b: CreatedRange): boolean {
  return a.gte <= b.lt && b.gte <= a.lt;
}
