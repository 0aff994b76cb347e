// What the emulator served, per account and in total, so tests and the benchmark can assert on the
// traffic a sync produced (requests per endpoint and status, 429s, objects, peak concurrency).

export interface Counters {
  requests: Record<string, Record<string, number>>;
  total: number;
  rateLimited: number;
  objectsServed: number;
  maxConcurrent: number;
}

export interface CounterSet extends Counters {
  inFlight: number;
}

export function newCounterSet(): CounterSet {
  return { requests: {}, total: 0, rateLimited: 0, objectsServed: 0, maxConcurrent: 0, inFlight: 0 };
}

/** Zeroes the totals; requests still in flight stay counted as concurrent. */
export function resetCounterSet(c: CounterSet): void {
  c.requests = {};
  c.total = 0;
  c.rateLimited = 0;
  c.objectsServed = 0;
  c.maxConcurrent = c.inFlight;
}

export function countRequest(c: CounterSet, endpoint: string, status: string, objects: number): void {
  const byStatus = (c.requests[endpoint] ??= {});
  byStatus[status] = (byStatus[status] ?? 0) + 1;
  c.total++;
  if (status === '429') c.rateLimited++;
  c.objectsServed += objects;
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
  };
}
