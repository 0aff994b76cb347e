// A worker's live heap is small and flat (~160 MB measured after GC across five 30,000-object runs), but
// left alone V8 lets the heap grow with the allocation rate, so peak RSS grew 42 % from a 20,000- to a
// 270,000-object account in the benchmark. Capping the old space keeps the worker's memory flat (5 %
// growth measured) at the cost of more frequent collections. Every place that starts a worker uses it.
export const WORKER_HEAP_MB = 256;
// Node 24's V8 sizes the young generation larger than Node 20's: the same run peaked at 510 MB RSS
// instead of 364 MB. Capping the semi-space at 16 MB brought it back to 392 MB at the same throughput
// (benchmark, test-270k: 0.899 of the ceiling, against 0.894 without the cap).
export const WORKER_SEMI_SPACE_MB = 16;
export const WORKER_NODE_FLAGS = [
  `--max-old-space-size=${WORKER_HEAP_MB}`,
  `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`,
];
