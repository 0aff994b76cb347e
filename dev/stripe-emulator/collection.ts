import type { StoredRecord } from './types';

// One resource's objects of one account, kept sorted OLDEST first by (created, id). Stripe lists are
// newest first, so a list walks this array backwards; storing it ascending makes the common write (a
// new object or event "now") a push at the end. Ties on `created` are ordered by id, which gives a
// total order: a `starting_after` cursor is exact even when hundreds of objects share a second.

export interface Collection {
  arr: StoredRecord[];
  byId: Map<string, StoredRecord>;
}

export function newCollection(records: StoredRecord[] = []): Collection {
  records.sort(compareRecords);
  return { arr: records, byId: new Map(records.map((r) => [r.id, r])) };
}

export function compareRecords(a: StoredRecord, b: StoredRecord): number {
  if (a.created !== b.created) return a.created - b.created;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** First index whose created >= t. */
export function lowerBound(arr: StoredRecord[], t: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid].created < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index where `rec` is or would be inserted (binary search on the (created, id) order). */
export function positionOf(arr: StoredRecord[], rec: StoredRecord): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareRecords(arr[mid], rec) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function insertRecord(col: Collection, rec: StoredRecord): void {
  const arr = col.arr;
  if (arr.length === 0 || compareRecords(arr[arr.length - 1], rec) < 0) arr.push(rec);
  else arr.splice(positionOf(arr, rec), 0, rec);
  col.byId.set(rec.id, rec);
}

export function removeRecord(col: Collection, rec: StoredRecord): void {
  const i = positionOf(col.arr, rec);
  if (col.arr[i] === rec) col.arr.splice(i, 1);
  col.byId.delete(rec.id);
}

/** Re-sorts one record after its `created` changed: remove at the old key, insert at the new. */
export function moveRecord(col: Collection, rec: StoredRecord, created: number): void {
  removeRecord(col, rec);
  rec.created = created;
  insertRecord(col, rec);
}
