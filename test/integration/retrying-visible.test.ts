import { emulatorAdmin } from '../../dev/stripe-emulator/admin-client';
import { NON_JSON_ATTEMPTS } from '../../activities/stripe-failures';
import { services } from '../services/env';
import { runCli } from '../support/cli';
import { emulatedInteraction } from '../support/interaction-fixture';
import { useHarness } from '../support/temporal';
import { triggerSync } from '../../client/interactions';
import { syncProgressQuery, type SyncProgress } from '../../workflows/definitions';

// A page that keeps failing must be visible while Temporal retries it, not only when the retries run
// out: here every Stripe request is answered by a 500 whose body is not JSON (a wrong URL or proxy).

const h = useHarness();
const admin = emulatorAdmin(services().emulatorUrl);

/** An interaction whose every Stripe request is answered by a 500 with an HTML body. */
async function interactionAnsweredNotJson(prefix: string) {
  const f = await emulatedInteraction(h.client, h.sqs, {
    prefix,
    taskQueue: h.worker.taskQueue,
    account: { mode: 'test', counts: { charges: 50, products: 0, subscriptions: 0 } },
  });
  await admin.addFault({ account: f.account.id, kind: 'not_json' });
  return f;
}

it('sync-now --wait says a page is failing and why while it retries, then fails plainly', async () => {
  const f = await interactionAnsweredNotJson('notjson');

  const result = await runCli(['interactions', 'sync-now', f.id, '--wait'], { timeoutMs: 120_000 });
  const retrying = result.stderr.indexOf('a page is failing and being retried (attempt 2)');
  expect(retrying).toBeGreaterThan(-1);
  expect(result.stderr.slice(retrying)).toMatch(
    /^a page is failing and being retried \(attempt 2\): interaction .* answered a body that is not JSON \(attempt 1\); retrying/,
  );
  // Retries run out after a few attempts with a message that says what to fix.
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(
    new RegExp(
      `not JSON \\(attempt ${NON_JSON_ATTEMPTS}\\)\\. Stripe always answers JSON, so the API base URL or a proxy in front of it is probably wrong`,
    ),
  );
  // Each of the run's first slices tried NON_JSON_ATTEMPTS times, then the run stopped.
  const counters = (await admin.counters(f.account.id)).requests['charges.list'];
  expect(Object.keys(counters)).toEqual(['not_json']);
  expect(counters.not_json % NON_JSON_ATTEMPTS).toBe(0);
});

it('the run itself shows the retrying page: progress query and current details (the Web UI)', async () => {
  const f = await interactionAnsweredNotJson('notjson-ui');
  const run = await triggerSync(h.client, f.id);
  const handle = h.client.workflow.getHandle(run.workflowId);
  let progress: SyncProgress | undefined;
  for (let i = 0; i < 100 && !progress?.retrying; i++) {
    progress = await handle.query(syncProgressQuery);
    if (!progress.retrying) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(progress?.retrying).toMatchObject({
    attempt: expect.any(Number),
    error: expect.stringMatching(/not JSON/),
  });
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  expect(metadata.currentDetails).toMatch(/\*\*Retrying a page\*\* \(attempt \d+\): .*not JSON/);
  await handle.result().catch(() => undefined);
});
