// A worker's live heap is small and flat (~160 MB measured after GC across five 30,000-object runs), but
// left alone V8 lets the heap grow with the allocation rate, so peak RSS grew 42 % from a 20,000- to a
// 270,000-object account in the benchmark. Capping the old space keeps the worker's memory flat (5 %
// growth measured) at the cost of more frequent collections. Every place that starts a worker uses it.
export const WORKER_HEAP_MB = 256;
export const WORKER_NODE_FLAGS = [`--max-old-space-size=${WORKER_HEAP_MB}`];
