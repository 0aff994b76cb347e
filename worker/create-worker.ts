import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import {
  bundleWorkflowCode,
  NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import { createActivities } from '../activities';
import { createInteractionLookup } from '../activities/interaction-lookup';
import { createRateLimiterRegistry } from '../activities/rate-limiter';
import { createStripeClientCache } from '../stripe/client';
import { createQueueLimitLookup } from '../activities/sqs-emitter';
import type { CompoundConfig } from '../common/config';
import { compoundDataConverter, PAYLOAD_CONVERTER_PATH } from '../common/data-converter';
import { createOpener, loadSealingPrivateKeys, type Opener } from '../common/sealed-keys';
import { sqsClient } from '../common/sqs';
import { eventsStateQuery, pageFailingSignal } from '../workflows/definitions';
import { backfillWorkflowId } from '../common/interaction';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { PageMetrics } from '../activities/fetch-page';
import { DEFAULT_MAX_CONCURRENT_ACTIVITIES } from './concurrency';
import { applyFairnessRate, STRIPE_REQUESTS_PER_SECOND } from './fairness';
import { watchPeerWorkers, workerPartOf } from './peer-workers';
import { logger } from '../common/logger';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const COMPOUND_VERSION: string = require('../package.json').version;

export const SHUTDOWN_GRACE = '30s';
export const SHUTDOWN_FORCE = '45s';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  /** Used by activities to read interactions from their schedules. */
  client: Client;
  namespace: string;
  config: CompoundConfig;
  metrics?: PageMetrics;
  /** A prebuilt workflow bundle (tests build one for all their workers); default: bundle workflows/ now. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Opens sealed Stripe keys; default: the private keys in COMPOUND_SEALING_PRIVATE_KEYS(_FILE). */
  openKey?: Opener;
  /** Extra Worker options (tests shorten timeouts). */
  overrides?: Partial<WorkerOptions>;
}

/** The Worker options that come from configuration (pure, so the configuration tests can check them). */
export function workerTuning(config: CompoundConfig): Partial<WorkerOptions> {
  return {
    maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities ?? DEFAULT_MAX_CONCURRENT_ACTIVITIES,
    ...(config.maxCachedWorkflows && { maxCachedWorkflows: config.maxCachedWorkflows }),
    ...(config.taskQueueActivitiesPerSecond && {
      maxTaskQueueActivitiesPerSecond: config.taskQueueActivitiesPerSecond,
    }),
    // Polls: the SDK's default (10 per task type). More polls, or the SDK's autoscaling pollers, cut a
    // page's wait for a worker with many tenants (0.3-0.5 s → 0.15-0.2 s) but unbalance one account's
    // pages between workers that each pace their part of its rate (peer-workers.ts): two workers on
    // one account reached 0.70 (autoscaling) and 0.82 (40 polls) of the rate instead of 0.9.
    // Long enough for a page in flight (Stripe call + SQS send) to finish after SIGTERM.
    shutdownGraceTime: SHUTDOWN_GRACE,
    // After that, a shutdown still waiting (say, on an activation that never completes) fails run():
    // the process exits non-zero instead of lingering without polling.
    shutdownForceTime: SHUTDOWN_FORCE,
  };
}

export async function createCompoundWorker(o: CreateWorkerOptions): Promise<Worker> {
  const fairness = await applyFairnessRate(o.client, {
    namespace: o.namespace,
    taskQueue: o.config.taskQueue,
    requestsPerSecond: STRIPE_REQUESTS_PER_SECOND,
  });
  if (fairness)
    logger.warn(
      { taskQueue: o.config.taskQueue, reason: fairness },
      "could not set the per-account dispatch rate on the task queue (does the server have task-queue fairness enabled?): each worker limits only its own requests, so several workers on one account may exceed Stripe's limit",
    );
  // Set here (the SDK's default, spelled out) so the peer count knows which poller is this worker.
  const identity = o.overrides?.identity ?? `${process.pid}@${hostname()}`;
  const peers = watchPeerWorkers(o.client, {
    namespace: o.namespace,
    taskQueue: o.config.taskQueue,
    identity,
    onChange: (workers) =>
      logger.info(
        { taskQueue: o.config.taskQueue, workers },
        "workers polling the task queue changed: each now paces its requests to its part of an account's rate",
      ),
    onError: (err) =>
      logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'could not count the workers'),
  });
  // Each interaction's rate share, capped by this worker's ceiling, and this worker's part of it.
  const limiters = createRateLimiterRegistry();
  const limiterFor = (accountKey: string, mode: 'test' | 'live', share: number) =>
    limiters(accountKey, mode, workerPartOf(Math.min(share, o.config.rateHeadroom), peers.count()));
  const sqs = sqsClient(o.config);
  const activities = createActivities({
    getInteraction: createInteractionLookup(o.client, o.openKey ?? createOpener(loadSealingPrivateKeys())),
    stripeFor: createStripeClientCache(o.config.stripeTimeoutMs),
    limiterFor,
    workersSharingRate: () => peers.count(),
    sqs,
    maxMessageBytesFor: createQueueLimitLookup(sqs, o.config.sqsMaxMessageBytes),
    metrics: o.metrics,
    eventsLagSeconds: o.config.eventsLagSeconds,
    reportPageFailure: (run, failure) =>
      o.client.workflow.getHandle(run.workflowId, run.runId).signal(pageFailingSignal, failure),
    eventsStateOf: async (interactionId) => {
      try {
        return await o.client.workflow.getHandle(backfillWorkflowId(interactionId)).query(eventsStateQuery);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return 'missing';
        throw err;
      }
    },
  });
  const workflows = await workflowCode(o.workflowBundle);
  const worker = await Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.config.taskQueue,
    workflowBundle: { code: workflows.code },
    activities,
    dataConverter: compoundDataConverter(),
    ...workerTuning(o.config),
    identity,
    // Recorded on every workflow task: which code decided what (see buildIdOf). Worker versioning
    // itself stays off.
    workerDeploymentOptions: {
      useWorkerVersioning: false,
      version: { deploymentName: 'compound', buildId: workflows.buildId },
    },
    ...o.overrides,
  });
  peers.stopWhen(() => ['STOPPED', 'FAILED'].includes(worker.getState()));
  return worker;
}

/** The workflow code this worker runs (bundled from workflows/ now unless given) and its build id. */
async function workflowCode(
  given?: WorkerOptions['workflowBundle'],
): Promise<{ code: string; buildId: string }> {
  const code = !given
    ? (
        await bundleWorkflowCode({
          workflowsPath: require.resolve('../workflows'),
          payloadConverterPath: PAYLOAD_CONVERTER_PATH,
          logger: Runtime.instance().logger,
        })
      ).code
    : 'code' in given
      ? given.code
      : await readFile(given.codePath, 'utf8');
  return { code, buildId: buildIdOf(code) };
}

/**
 * The package version and a short hash of the workflow bundle, e.g. `0.1.0+3f9a0c12d4e5`. A workflow
 * task completed by other workflow code than the tasks before it shows as another build id in the
 * history, the first thing to look at after a nondeterminism error (issue 18 came from a paging rule
 * changed under running workflows). Short, as it is recorded on every task (the SDK's default is a
 * 64-hex hash: ~150 bytes of history per page).
 */
export const buildIdOf = (bundleCode: string): string =>
  `${COMPOUND_VERSION}+${createHash('sha256').update(bundleCode).digest('hex').slice(0, 12)}`;
