// A worker's live heap is small and flat (~160 MB measured after GC across five 30,000-object runs), but
// left alone V8 lets the heap grow with the allocation rate, so peak RSS grew 42 % from a 20,000- to a
// 270,000-object account in the benchmark. Capping the old space keeps the worker's memory flat (5 %
// growth measured) at the cost of more frequent collections. Every place that starts a worker uses it.
export const WORKER_HEAP_MB = 256;
// Node 24's V8 sizes the young generation larger than Node 20's: the same run peaked at 510 MB RSS
// instead of 364 MB. A 32 MB semi-space is the middle: each page allocates ~1 MB of short-lived strings
// (the response, the message body), and at 16 MB more of them lived through a scavenge. Back-to-back
// `multi-tenant` runs on Node 24: 16 MB 10.1–10.4 worker ms a page, 32 MB 9.4–9.5, 64 MB 9.9–10.6; peak RSS
// 540 → 630 → 730 MB.
export const WORKER_SEMI_SPACE_MB = 32;
export const WORKER_NODE_FLAGS = [
  `--max-old-space-size=${WORKER_HEAP_MB}`,
  `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`,
];
