import { EVENTS_SAFETY_LAG_SECONDS } from './events-cursor';
// Every environment variable Compound reads is read here (the README's configuration reference lists them;
// a test keeps the two in step). Temporal's own TEMPORAL_* variables are read by @temporalio/envconfig.
export type Env = Record<string, string | undefined>;

export const DEFAULT_PORTS = {
  temporal: 7233,
  temporalUi: 8233,
  sqs: 9324,
  emulator: 12011,
  codec: 8888,
  metrics: 9464,
} as const;

function numberFrom(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got "${raw}"`);
  return value;
}

const uiDefaults = (port: number) => `http://localhost:${port},http://127.0.0.1:${port}`;

export interface CompoundConfig {
  taskQueue: string;
  /** Default extraction queue for new interactions. */
  queueUrl: string;
  /** Custom SQS endpoint (ElasticMQ locally); unset means AWS's own endpoint for the region. */
  sqsEndpoint?: string;
  awsRegion: string;
  /** Largest SQS message the extraction queue accepts (1 MiB today; some queues are still 256 KiB). */
  sqsMaxMessageBytes: number;
  metricsPort: number;
  codecPort: number;
  /** Origins of the Temporal Web UI allowed to call the codec server (CORS). */
  uiOrigins: string[];
  /**
   * Ceiling on any account's rate share in this worker's own limiter (each interaction sets its share,
   * --rate-share, default 0.95; Temporal's dispatch across workers follows the interaction's).
   */
  rateHeadroom: number;
  /** Per-worker cap on activities running at once (see worker/concurrency.ts for the sizing). */
  maxConcurrentActivities?: number;
  /**
   * Server-enforced cap on activities started per second across every worker of the task queue: with
   * several workers, each has its own rate limiter, so this is what bounds their sum.
   */
  taskQueueActivitiesPerSecond?: number;
  /**
   * Workflows a worker keeps in memory between their tasks; unset: the SDK sizes it from the heap (~60
   * under the worker's 256 MB cap). Each costs ~0.6 MB of the workflow thread's heap (1,000 ran out of
   * memory with 400 workflows open in the benchmark), so raise it with the heap (worker/memory.ts).
   */
  maxCachedWorkflows?: number;
  /** Per-request timeout for Stripe calls. */
  stripeTimeoutMs: number;
  /** Incremental runs leave events younger than this to the next run (Stripe lists events with a delay). */
  eventsLagSeconds: number;
  logLevel: string;
}

export function loadConfig(env: Env = process.env): CompoundConfig {
  const sqsPort = numberFrom(env, 'COMPOUND_SQS_PORT', DEFAULT_PORTS.sqs);
  const sqsEndpoint = env.COMPOUND_SQS_ENDPOINT || undefined;
  const headroom = numberFrom(env, 'COMPOUND_RATE_HEADROOM', 1);
  if (headroom <= 0 || headroom > 1) throw new Error('COMPOUND_RATE_HEADROOM must be in (0, 1], e.g. 0.9');
  const maxConcurrent = env.COMPOUND_MAX_CONCURRENT_ACTIVITIES
    ? numberFrom(env, 'COMPOUND_MAX_CONCURRENT_ACTIVITIES', 0)
    : undefined;
  return {
    taskQueue: env.COMPOUND_TASK_QUEUE || 'compound',
    queueUrl: env.COMPOUND_QUEUE_URL || `http://127.0.0.1:${sqsPort}/000000000000/compound-extraction`,
    sqsEndpoint,
    awsRegion: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    sqsMaxMessageBytes: numberFrom(env, 'COMPOUND_SQS_MAX_MESSAGE_BYTES', 1024 * 1024),
    metricsPort: numberFrom(env, 'COMPOUND_METRICS_PORT', DEFAULT_PORTS.metrics),
    codecPort: numberFrom(env, 'COMPOUND_CODEC_PORT', DEFAULT_PORTS.codec),
    uiOrigins: (
      env.COMPOUND_UI_ORIGIN ||
      uiDefaults(numberFrom(env, 'COMPOUND_TEMPORAL_UI_PORT', DEFAULT_PORTS.temporalUi))
    )
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    rateHeadroom: headroom,
    taskQueueActivitiesPerSecond: env.COMPOUND_TASK_QUEUE_ACTIVITIES_PER_SECOND
      ? numberFrom(env, 'COMPOUND_TASK_QUEUE_ACTIVITIES_PER_SECOND', 0)
      : undefined,
    maxConcurrentActivities: maxConcurrent,
    maxCachedWorkflows: env.COMPOUND_MAX_CACHED_WORKFLOWS
      ? numberFrom(env, 'COMPOUND_MAX_CACHED_WORKFLOWS', 0)
      : undefined,
    stripeTimeoutMs: numberFrom(env, 'COMPOUND_STRIPE_TIMEOUT_MS', 30000),
    eventsLagSeconds: numberFrom(env, 'COMPOUND_EVENTS_LAG_SECONDS', EVENTS_SAFETY_LAG_SECONDS),
    logLevel: env.COMPOUND_LOG_LEVEL || 'info',
  };
}
