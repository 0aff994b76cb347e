import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Browser, Page } from 'playwright-core';
import { createCodecServer, tokenizedEndpoint } from '../../client/codec-server';
import { compoundDataConverter } from '../../common/data-converter';
import { createEncryptionCodec, loadKeyring } from '../../common/encryption';
import { freePorts, type StartedProcess } from '../../dev/processes';
import {
  ROOT,
  startEmulatorProcess,
  startTemporal,
  stopAll,
  waitForHttp,
  waitForTemporal,
} from '../../dev/services';
import { ensureStackCodecToken, startCodecServerProcess } from '../../dev/stack-codec';
import { emulatorAdmin } from '../../dev/stripe-emulator/admin-client';
import { services } from '../services/env';
import { startBackfill, waitForProgress } from '../support/backfill';
import { emulatedInteraction, storeInteraction } from '../support/interaction-fixture';
import { createQueue, drainQueue, objectIds, testSqs, uniqueName } from '../support/sqs';
import { startTestWorker, testClient, type RunningWorker } from '../support/temporal';
import {
  artifactPath,
  chooseSignal,
  enterJson,
  findInWorkflowList,
  launchChromium,
  openSendSignal,
  removeArtifact,
  sendSignal,
  submit,
  withFailureCapture,
  type SignalToSend,
} from './browser';

// End to end, the way an operator backfills: Debian's Chromium opens a Temporal Web UI, finds the
// interaction's backfill workflow in the workflow list, sends it the `backfill` signal with a range
// through "Send a Signal", and the range's charges arrive on SQS — exactly those, no others.
//
// Three Web UI setups:
// - the test services' dev server, no codec server: the UI cannot read the encrypted handler metadata,
//   so the signal name is typed, and the input goes as a plain json/plain payload;
// - the same with Compound's codec server set as the browser's codec endpoint (as an operator does);
// - the one `npm start` and docker-compose give users: a dev server started with `--ui-codec-endpoint`
//   (the codec endpoint set on the server), with the README's exact example and every signal the README
//   documents. With a codec endpoint the dialog lists the workflow's signals with their descriptions.

const SPAN = { from: Date.UTC(2024, 0, 1) / 1000, to: Date.UTC(2024, 6, 1) / 1000 };
const RANGE = { gte: Date.UTC(2024, 1, 1) / 1000, lt: Date.UTC(2024, 3, 15) / 1000 };
const isoSeconds = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

// The README's example, its one-line interval form, and the range both mean (a date-only `to` takes in
// that whole day, UTC); the account around it has charges before, inside and after it.
const README_EXAMPLE = '{"from": "2024-01-01", "to": "2024-03-31"}';
const README_INTERVAL = '"2024-01-01/2024-03-31"';
const README_RANGE = { gte: Date.UTC(2024, 0, 1) / 1000, lt: Date.UTC(2024, 3, 1) / 1000 };
const AROUND = { from: Date.UTC(2023, 9, 1) / 1000, to: Date.UTC(2024, 6, 1) / 1000 };

/** The description each handler gives (setHandler), shown under its name in the dialog's signal list. */
const DESCRIPTIONS: Record<string, RegExp> = {
  backfill: /Sync a created-date range/,
  pause: /Pause after the pages in flight/,
  resume: /Resume a paused backfill/,
  cancel: /Stop the running range/,
};
const signal = (name: string, json?: string, leaveEditor = false): SignalToSend => ({
  name,
  description: DESCRIPTIONS[name],
  json,
  leaveEditor,
});

let sqs: SQSClient;
let browser: Browser;

beforeAll(async () => {
  sqs = testSqs();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  sqs?.destroy();
});

/**
 * Runs `steps` on a fresh page; on failure a screenshot and the HTML are kept as `<name>-failure.*`.
 * `codecEndpoint` sets the codec endpoint in the browser, where the UI's "Codec Server" settings keep it.
 */
async function inBrowser(name: string, steps: (page: Page) => Promise<void>, codecEndpoint?: string) {
  removeArtifact(`${name}-failure.png`, `${name}-failure.html`);
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  if (codecEndpoint) {
    await context.addInitScript({
      content: `localStorage.setItem('endpoint', ${JSON.stringify(JSON.stringify(codecEndpoint))});`,
    });
  }
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  try {
    await withFailureCapture(page, name, () => steps(page));
  } finally {
    await context.close();
  }
}

/** The encoding of the `backfill` signal's input as Temporal stored it (history payloads are not decoded). */
async function storedSignalEncoding(handle: WorkflowHandle): Promise<string | undefined> {
  const history = await handle.fetchHistory();
  const signalled = history.events?.find(
    (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'backfill',
  );
  const encoding =
    signalled?.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.metadata?.encoding;
  return encoding ? Buffer.from(encoding).toString('utf8') : undefined;
}

describe("the test services' Web UI", () => {
  let client: Client;
  let worker: RunningWorker;
  let codecServer: Server;
  let codecUrl: string;

  beforeAll(async () => {
    client = await testClient();
    const token = randomBytes(24).toString('base64url');
    codecServer = createCodecServer({
      codec: createEncryptionCodec(loadKeyring()),
      allowedOrigins: [services().temporalUiUrl],
      authToken: token,
      namespaces: ['default'],
    });
    await new Promise<void>((resolve) => codecServer.listen(0, '127.0.0.1', resolve));
    // What an operator enters as the UI's codec endpoint: the server's address with the token as path.
    codecUrl = tokenizedEndpoint(`http://127.0.0.1:${(codecServer.address() as AddressInfo).port}`, token);
    worker = await startTestWorker(client);
  });

  afterAll(async () => {
    codecServer?.closeAllConnections();
    await new Promise((resolve) => (codecServer ? codecServer.close(resolve) : resolve(undefined)));
    await worker?.stop();
    await client?.connection.close();
  });

  /** An interaction on a fresh emulator account and queue, with its backfill workflow running idle. */
  async function setup() {
    const {
      queueUrl,
      id,
      idsCreatedIn: truthIn,
    } = await emulatedInteraction(client, sqs, {
      prefix: 'e2e',
      taskQueue: worker.taskQueue,
      account: { mode: 'test', counts: { charges: 800, products: 0, subscriptions: 0 }, span: SPAN },
    });
    const handle = await startBackfill(client, worker.taskQueue, { interactionId: id });
    return { queueUrl, handle, truthIn };
  }

  describe.each([
    { ui: 'without a codec server', codec: false, screenshot: 'send-signal-dialog.png' },
    {
      ui: 'with the codec server set in the browser',
      codec: true,
      screenshot: 'send-signal-dialog-codec.png',
    },
  ])('$ui', ({ codec, screenshot }) => {
    it('a range sent as the backfill signal from "Send a Signal" reaches SQS exactly', async () => {
      const { queueUrl, handle, truthIn } = await setup();
      const json = `{"from": "${isoSeconds(RANGE.gte)}", "to": "${isoSeconds(RANGE.lt)}"}`;
      let signalFrom: 'list' | 'typed' | undefined;
      await inBrowser(
        screenshot.replace(/\.png$/, ''),
        async (page) => {
          await (await findInWorkflowList(page, services().temporalUiUrl, handle.workflowId)).click();
          const dialog = await openSendSignal(page, handle.workflowId);
          signalFrom = await chooseSignal(dialog, 'backfill', DESCRIPTIONS.backfill);
          await enterJson(dialog, json, false);
          if (!(await dialog.getByRole('radio', { name: 'json/plain' }).isChecked()))
            throw new Error('json/plain is not the chosen encoding');
          await dialog.screenshot({ path: artifactPath(screenshot) });
          await submit(dialog);
        },
        codec ? codecUrl : undefined,
      );

      const progress = await waitForProgress(handle, (p) => p.finished.length === 1 || p.rejected.length > 0);
      expect(progress.rejected).toEqual([]);
      expect(progress.finished[0]).toMatchObject({ status: 'completed', range: RANGE });
      const expected = await truthIn(RANGE.gte, RANGE.lt);
      expect(expected.length).toBeGreaterThan(0);
      const ids = objectIds(await drainQueue(sqs, queueUrl));
      expect(ids.distinct).toEqual(new Set(expected));
      expect(progress.finished[0].objects).toBe(expected.length);

      // With the codec server the UI lists the handlers and encrypts what it sends; without one it can
      // only be told the name, and sends plain JSON, which the worker's codec passes through.
      if (codec) expect(signalFrom).toBe('list');
      expect(await storedSignalEncoding(handle)).toBe(codec ? 'binary/encrypted' : 'json/plain');
      await handle.terminate('end-to-end test done');
    }, 240000);
  });
});

/**
 * What `npm start` (dev/stack.ts) runs for the Web UI: a Temporal dev server whose UI has Compound's codec
 * server as its codec endpoint (`--ui-codec-endpoint`: set on the server, as docker-compose does with
 * TEMPORAL_CODEC_ENDPOINT, not in the browser), and that codec server as dev/stack-codec.ts starts it.
 * Plus a Stripe emulator of its own, whose faults can hold a range mid-run without touching the shared
 * one; SQS is the shared ElasticMQ (a fresh queue per test).
 */
interface NpmStartStack {
  temporalAddress: string;
  uiUrl: string;
  codecUrl: string;
  /** The codec endpoint the dev server gives its UI: codecUrl with the stack's token as the path. */
  codecEndpoint: string;
  emulatorUrl: string;
  dir: string;
  processes: StartedProcess[];
}

/** dev/stack-codec.ts reads the UI's port (the origin its CORS allows) from the environment, like the stack. */
function startStackCodecServer(
  port: number,
  uiPort: number,
  logFile: string,
  tokenFile: string,
): StartedProcess {
  const saved = process.env.COMPOUND_TEMPORAL_UI_PORT;
  process.env.COMPOUND_TEMPORAL_UI_PORT = String(uiPort);
  try {
    // It inherits COMPOUND_ENCRYPTION_KEYS from the global setup: the test workers' key.
    return startCodecServerProcess(port, logFile, tokenFile);
  } finally {
    if (saved === undefined) delete process.env.COMPOUND_TEMPORAL_UI_PORT;
    else process.env.COMPOUND_TEMPORAL_UI_PORT = saved;
  }
}

async function startNpmStartStack(): Promise<NpmStartStack> {
  const dir = mkdtempSync(join(tmpdir(), 'compound-e2e-stack-'));
  const [temporalPort, uiPort, codecPort, emulatorPort] = await freePorts(4);
  const log = (name: string) => join(dir, `${name}.log`);
  // The token as dev/stack.ts makes it, in this stack's own directory.
  const token = ensureStackCodecToken(join(dir, 'codec-token'));
  const stack: NpmStartStack = {
    temporalAddress: `127.0.0.1:${temporalPort}`,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    codecUrl: `http://127.0.0.1:${codecPort}`,
    codecEndpoint: tokenizedEndpoint(`http://127.0.0.1:${codecPort}`, token.token),
    emulatorUrl: `http://127.0.0.1:${emulatorPort}`,
    dir,
    processes: [],
  };
  try {
    stack.processes.push(
      startTemporal({
        port: temporalPort,
        uiPort,
        dbFile: join(dir, 'temporal.db'),
        logFile: log('temporal'),
        codecEndpoint: stack.codecEndpoint,
      }),
    );
    stack.processes.push(startStackCodecServer(codecPort, uiPort, log('codec-server'), token.file));
    stack.processes.push(startEmulatorProcess({ port: emulatorPort, logFile: log('stripe-emulator') }));
    await Promise.all([
      waitForTemporal(stack.temporalAddress, log('temporal'), 90000),
      waitForHttp('codec server', `${stack.codecUrl}/health`, log('codec-server'), 60000),
      waitForHttp('Stripe emulator', `${stack.emulatorUrl}/_emulator/health`, log('stripe-emulator'), 60000),
    ]);
    return stack;
  } catch (err) {
    await stopNpmStartStack(stack);
    throw err;
  }
}

async function stopNpmStartStack(stack: NpmStartStack): Promise<void> {
  await stopAll(stack.processes);
  rmSync(stack.dir, { recursive: true, force: true });
}

/** A worker as the other tests run it (same key, same bundle), on the stack's Temporal server. */
const startWorkerOn = (address: string, client: Client): Promise<RunningWorker> =>
  startTestWorker(client, { taskQueue: uniqueName('e2e-stack') }, address);

const idsIn = (objects: { id: string; created: number }[], r: { gte: number; lt: number }) =>
  objects.filter((x) => x.created >= r.gte && x.created < r.lt).map((x) => x.id);

describe('the Web UI as `npm start` and docker-compose run it (codec endpoint set on the server)', () => {
  let stack: NpmStartStack;
  let client: Client;
  let worker: RunningWorker;

  beforeAll(async () => {
    stack = await startNpmStartStack();
    const connection = await Connection.connect({ address: stack.temporalAddress });
    client = new Client({ connection, namespace: 'default', dataConverter: compoundDataConverter() });
    worker = await startWorkerOn(stack.temporalAddress, client);
  }, 180000);

  afterAll(async () => {
    await worker?.stop();
    await client?.connection.close();
    if (stack) await stopNpmStartStack(stack);
  });

  /**
   * An interaction on a fresh account of the stack's emulator (charges from October 2023 to June 2024,
   * and one on each side of each edge of the README's range) and a fresh queue, its backfill idle.
   */
  async function setup(options?: Parameters<typeof startBackfill>[2]['options']) {
    const admin = emulatorAdmin(stack.emulatorUrl);
    const account = await admin.createAccount({
      mode: 'test',
      counts: { charges: 900, products: 0, subscriptions: 0 },
      span: AROUND,
    });
    // A date-only `to` takes in the last second of that day, and nothing of the next.
    const { gte, lt } = README_RANGE;
    for (const created of [gte - 1, gte, lt - 1, lt])
      await admin.createObject(account.id, 'charges', { created });
    const queueUrl = await createQueue(sqs, uniqueName('e2e-stack'));
    const id = uniqueName('e2e-stack');
    await storeInteraction(
      client,
      {
        id,
        name: id,
        resource: 'charges',
        frequency: 'daily',
        stripeKey: account.keys.restricted,
        queueUrl,
        stripeApiBase: stack.emulatorUrl,
      },
      worker.taskQueue,
    );
    const handle = await startBackfill(client, worker.taskQueue, { interactionId: id, options });
    const charges = await admin.objects(account.id, 'charges');
    return { admin, account, queueUrl, handle, charges };
  }

  it(`the README's example ${README_EXAMPLE}, Tab, Submit: exactly that range reaches SQS`, async () => {
    // The example is the README's own, and the UI has the codec endpoint from the server's settings.
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(README_EXAMPLE);
    const settings = (await (await fetch(`${stack.uiUrl}/api/v1/settings`)).json()) as {
      Codec?: { Endpoint?: string };
    };
    expect(settings.Codec?.Endpoint).toBe(stack.codecEndpoint);
    // The codec server itself answers no one without the token.
    const open = await fetch(`${stack.codecUrl}/decode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default' },
      body: '{"payloads": []}',
    });
    expect(open.status).toBe(401);

    const { queueUrl, handle, charges, account } = await setup();
    let signalFrom: 'list' | 'typed' | undefined;
    await inBrowser('send-signal-npm-start', async (page) => {
      await (await findInWorkflowList(page, stack.uiUrl, handle.workflowId)).click();
      signalFrom = await sendSignal(page, handle.workflowId, signal('backfill', README_EXAMPLE, true));
    });

    const progress = await waitForProgress(handle, (p) => p.finished.length === 1 || p.rejected.length > 0);
    expect(progress.rejected).toEqual([]);
    const expected = idsIn(charges, README_RANGE);
    expect(progress.finished[0]).toMatchObject({
      status: 'completed',
      range: README_RANGE,
      objects: expected.length,
    });
    expect(idsIn(charges, { gte: AROUND.from, lt: README_RANGE.gte }).length).toBeGreaterThan(0);
    expect(idsIn(charges, { gte: README_RANGE.lt, lt: AROUND.to + 1 }).length).toBeGreaterThan(0);
    expect(objectIds(await drainQueue(sqs, queueUrl)).distinct).toEqual(new Set(expected));
    // Listed from the decoded handler metadata, and encrypted through the codec server's /encode.
    expect(signalFrom).toBe('list');
    expect(await storedSignalEncoding(handle)).toBe('binary/encrypted');

    // The interaction's schedule page and its workflow page, decoded through the codec server, show
    // the sealed key and never the key itself.
    const pages: Record<string, string> = {};
    await inBrowser('no-key-in-ui', async (page) => {
      const scheduleId = `interaction-${handle.workflowId.replace(/^backfill-/, '')}`;
      await page.goto(`${stack.uiUrl}/namespaces/default/schedules/${scheduleId}`);
      await page
        .getByText(/sealed:v1:/)
        .first()
        .waitFor({ timeout: 60_000 });
      pages.schedule = await page.content();
      await page.goto(`${stack.uiUrl}/namespaces/default/workflows/${handle.workflowId}`);
      // The first match may be a hidden element of the page's chrome: wait for a visible one.
      await page
        .getByText(/backfill/)
        .filter({ visible: true })
        .first()
        .waitFor({ timeout: 60_000 });
      pages.workflow = await page.content();
    });
    for (const [name, html] of Object.entries(pages)) {
      for (const key of Object.values(account.keys))
        expect({ name, leaks: html.includes(key) }).toEqual({ name, leaks: false });
    }
    await handle.terminate('end-to-end test done');
  }, 240000);

  it('pause, the interval form without Tab, cancel {"all": true}, resume and cancel each take effect', async () => {
    // One page at a time, so a range held mid-run still has pages to go when `cancel` stops it.
    const { admin, account, queueUrl, handle, charges } = await setup({ concurrency: 1 });
    await inBrowser('send-signal-npm-start-signals', async (page) => {
      await (await findInWorkflowList(page, stack.uiUrl, handle.workflowId)).click();
      const send = (s: SignalToSend) => sendSignal(page, handle.workflowId, s);

      await send(signal('pause'));
      await waitForProgress(handle, (p) => p.state === 'paused');

      // A JSON string stays one line when the UI reformats it, so Submit goes through without Tab.
      await send(signal('backfill', README_INTERVAL));
      let p = await waitForProgress(handle, (p) => p.queued.length === 1 || p.rejected.length > 0);
      expect(p.rejected).toEqual([]);
      expect(p.queued[0].range).toEqual(README_RANGE);
      expect(p.state).toBe('paused');

      await send(signal('cancel', '{"all": true}', true));
      p = await waitForProgress(handle, (p) => p.queued.length === 0);
      expect(p.finished).toEqual([expect.objectContaining({ status: 'cancelled', range: README_RANGE })]);

      await send(signal('backfill', README_INTERVAL));
      await waitForProgress(handle, (p) => p.queued.length === 1);
      await send(signal('resume'));
      p = await waitForProgress(handle, (p) => p.finished.length === 2);
      expect(p.finished[1]).toMatchObject({ status: 'completed', range: README_RANGE });
      expect(p.state).toBe('idle');
      expect(objectIds(await drainQueue(sqs, queueUrl)).distinct).toEqual(
        new Set(idsIn(charges, README_RANGE)),
      );

      // A running range for `cancel` to stop: the stack's emulator answers 429 until the faults are
      // cleared, so the range stays current (its pages retrying) until then.
      await admin.addFault({ account: account.id, kind: 'rate_limit' });
      await send(signal('backfill', README_EXAMPLE, true));
      p = await waitForProgress(handle, (p) => p.current !== undefined);
      expect(p).toMatchObject({ state: 'running', current: { range: README_RANGE } });
      // The dialog closes once Temporal recorded the signal, so it is in the history before the pages
      // that the cleared faults let through: the range stops after them.
      await send(signal('cancel'));
      await admin.clearFaults();
      p = await waitForProgress(handle, (p) => p.finished.length === 3);
      expect(p.finished[2]).toMatchObject({ status: 'cancelled', range: README_RANGE });
      expect(p).toMatchObject({ state: 'idle', queued: [] });
    });
    await handle.terminate('end-to-end test done');
  }, 300000);
});
