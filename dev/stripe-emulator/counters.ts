// What the emulator served, per account and in total, so tests and the benchmark can assert on the
// traffic a sync produced (requests per endpoint and status, 429s, objects, peak concurrency).

export interface Counters {
  requests: Record<string, Record<string, number>>;
  total: number;
  rateLimited: number;
  objectsServed: number;
  maxConcurrent: number;
  /**
   * Second by second since the counters were (re)set: requests answered, 429s and objects served, so
   * the benchmark can tell ramp-up, steady state and tail apart.
   */
  timeline: TimelineSecond[];
}

export interface TimelineSecond {
  requests: number;
  rateLimited: number;
  objects: number;
  /** Answered list requests without a cursor: first pages of a walk (or of a created-time slice). */
  firstPages: number;
}

export interface CounterSet extends Counters {
  inFlight: number;
  since: number;
}

export function newCounterSet(): CounterSet {
  return {
    requests: {},
    total: 0,
    rateLimited: 0,
    objectsServed: 0,
    maxConcurrent: 0,
    timeline: [],
    inFlight: 0,
    since: performance.now(),
  };
}

/** Zeroes the totals; requests still in flight stay counted as concurrent. */
export function resetCounterSet(c: CounterSet): void {
  c.requests = {};
  c.total = 0;
  c.rateLimited = 0;
  c.objectsServed = 0;
  c.maxConcurrent = c.inFlight;
  c.timeline = [];
  c.since = performance.now();
}

export function countRequest(
  c: CounterSet,
  endpoint: string,
  status: string,
  objects: number,
  firstPage = false,
): void {
  const byStatus = (c.requests[endpoint] ??= {});
  byStatus[status] = (byStatus[status] ?? 0) + 1;
  c.total++;
  if (status === '429') c.rateLimited++;
  c.objectsServed += objects;
  const second = Math.floor((performance.now() - c.since) / 1000);
  for (let i = c.timeline.length; i <= second; i++)
    c.timeline.push({ requests: 0, rateLimited: 0, objects: 0, firstPages: 0 });
  const bucket = c.timeline[second];
  bucket.requests++;
  if (status === '429') bucket.rateLimited++;
  bucket.objects += objects;
  if (firstPage) bucket.firstPages++;
}

export function enter(c: CounterSet): void {
  c.inFlight++;
  if (c.inFlight > c.maxConcurrent) c.maxConcurrent = c.inFlight;
}

export function leave(c: CounterSet): void {
  c.inFlight--;
}

export function snapshot(c: CounterSet): Counters {
  return {
    requests: structuredClone(c.requests),
    total: c.total,
    rateLimited: c.rateLimited,
    objectsServed: c.objectsServed,
    maxConcurrent: c.maxConcurrent,
    timeline: c.timeline.map((t) => ({ ...t })),
  };
}
