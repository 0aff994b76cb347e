import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Browser, Locator, Page } from 'playwright-core';
import { createCodecServer } from '../../client/codec-server';
import { createEncryptionCodec, loadKeyring } from '../../common/encryption';
import { services } from '../services/env';
import { startBackfill, waitForProgress } from '../support/backfill';
import { emulatedInteraction } from '../support/interaction-fixture';
import { drainQueue, objectIds, testSqs } from '../support/sqs';
import { startTestWorker, testClient, type RunningWorker } from '../support/temporal';
import { artifactPath, launchChromium, removeArtifact, withFailureCapture } from './browser';

// End to end, the way an operator backfills: Debian's Chromium opens the dev server's Temporal Web UI,
// finds the interaction's backfill workflow in the workflow list, sends it the `backfill` signal with a
// JSON range through "Send a Signal", and the range's charges arrive on SQS — exactly those, no others.
//
// Twice: with the UI as the test services start it (no codec server: the UI cannot read the encrypted
// handler metadata, so the signal name is typed, and the input goes as a plain json/plain payload), and
// with Compound's codec server set as the browser's codec endpoint (as an operator does), where the
// dialog lists the workflow's signals with their descriptions and `backfill` is picked from the list.

const SPAN = { from: Date.UTC(2024, 0, 1) / 1000, to: Date.UTC(2024, 6, 1) / 1000 };
const RANGE = { gte: Date.UTC(2024, 1, 1) / 1000, lt: Date.UTC(2024, 3, 15) / 1000 };
const isoSeconds = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
const UI_TIMEOUT = 30000;

let client: Client;
let sqs: SQSClient;
let worker: RunningWorker;
let browser: Browser;
let codecServer: Server;
let codecUrl: string;

beforeAll(async () => {
  client = await testClient();
  sqs = testSqs();
  codecServer = createCodecServer({
    codec: createEncryptionCodec(loadKeyring()),
    allowedOrigins: [services().temporalUiUrl],
  });
  await new Promise<void>((resolve) => codecServer.listen(0, '127.0.0.1', resolve));
  codecUrl = `http://127.0.0.1:${(codecServer.address() as AddressInfo).port}`;
  [worker, browser] = await Promise.all([startTestWorker(client), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  codecServer?.closeAllConnections();
  await new Promise((resolve) => (codecServer ? codecServer.close(resolve) : resolve(undefined)));
  await worker?.stop();
  await client?.connection.close();
  sqs?.destroy();
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

/** Workflows list → "Add Filter" → WorkflowId "Equal to" `workflowId` → Apply; resolves to the row's link. */
async function findInWorkflowList(page: Page, workflowId: string): Promise<Locator> {
  await page.goto(`${services().temporalUiUrl}/namespaces/default/workflows`);
  await page.getByRole('button', { name: 'Add Filter' }).click();
  await page.getByRole('menuitem', { name: /^WorkflowId\b/ }).click();
  const filter = page.getByRole('menu', { name: /WorkflowId/ });
  await filter.getByRole('button', { name: 'Equal to', exact: true }).click();
  await filter.getByLabel('Value').fill(workflowId);
  await filter.getByRole('button', { name: 'Apply', exact: true }).click();
  // The filter goes into the URL (`?query=WorkflowId="…"`), so a reload re-runs the same search.
  await page.waitForURL((url) => (url.searchParams.get('query') ?? '').includes(workflowId));
  const link = page.getByRole('link', { name: workflowId, exact: true });
  for (let attempt = 1; ; attempt++) {
    try {
      // Visibility is eventually consistent: a just-started workflow may take a moment to be listed.
      await link.waitFor({ timeout: 5000 });
      break;
    } catch (err) {
      if (attempt === 4) throw err;
      await page.reload();
    }
  }
  // The filter narrowed the list to this workflow alone.
  await page.getByRole('heading', { name: /^1 Workflow$/ }).waitFor();
  return link;
}

/** Workflow page → "More Actions" (next to "Request Cancellation") → "Send a Signal"; resolves to the open dialog. */
async function openSendSignal(page: Page, workflowId: string): Promise<Locator> {
  await page.waitForURL(`**/namespaces/default/workflows/${workflowId}/**`);
  await page.getByRole('heading', { name: workflowId }).waitFor();
  await page.getByRole('button', { name: 'More Actions' }).click();
  // The page renders its action menu and dialogs twice (wide and narrow layouts): use the visible copy.
  await page.getByRole('menuitem', { name: 'Send a Signal' }).filter({ visible: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Send a Signal' });
  await dialog.waitFor();
  return dialog;
}

/**
 * Picks the signal. When the UI could read the workflow's `__temporal_workflow_metadata` it shows a select
 * listing the signal handlers with their descriptions; otherwise a free-text "Signal name" field.
 */
async function chooseSignal(dialog: Locator, name: string): Promise<'list' | 'typed'> {
  const select = dialog.getByTestId('signal-select-button');
  // By test id: the duplicated dialog repeats the element ids, so the visible field's
  // <label for="signal-name"> points at the hidden copy and gives it no accessible name.
  const textField = dialog.getByTestId('signal-name');
  await select.or(textField).first().waitFor();
  if (await select.isVisible()) {
    await select.click();
    const option = dialog.getByRole('option', { name: new RegExp(`^${name}\\b`) });
    // The handler's description (from setHandler) is shown under its name.
    await option.getByText(/Sync a created-date range/).waitFor();
    await option.click();
    const chosen = await dialog.getByTestId('signal-select').inputValue();
    if (chosen !== name) throw new Error(`the dialog's signal select shows "${chosen}", not "${name}"`);
    return 'list';
  }
  await textField.fill(name);
  if ((await textField.inputValue()) !== name) throw new Error('the signal name did not stick in the dialog');
  return 'typed';
}

/** The CodeMirror JSON editor: select whatever is there and insert the text in one go (no auto-closed brackets). */
async function enterJson(dialog: Locator, json: string): Promise<void> {
  const editor = dialog.locator('[contenteditable="true"][data-language="json"]');
  await editor.click();
  await dialog.page().keyboard.press('ControlOrMeta+A');
  await dialog.page().keyboard.insertText(json);
  const shown = (await editor.innerText()).trim();
  if (JSON.stringify(JSON.parse(shown)) !== JSON.stringify(JSON.parse(json))) {
    throw new Error(`the input editor shows ${shown}, not ${json}`);
  }
}

async function submit(dialog: Locator): Promise<void> {
  await dialog.getByRole('button', { name: 'Submit', exact: true }).click();
  try {
    await dialog.waitFor({ state: 'hidden' });
  } catch (err) {
    const alert = await dialog
      .getByRole('alert')
      .innerText()
      .catch(() => '');
    throw new Error(`the Send a Signal dialog stayed open${alert ? `: ${alert}` : ''}`, { cause: err });
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

describe.each([
  { ui: 'without a codec server', codec: false, screenshot: 'send-signal-dialog.png' },
  { ui: 'with the codec server set in the browser', codec: true, screenshot: 'send-signal-dialog-codec.png' },
])('Web UI $ui', ({ codec, screenshot }) => {
  it('a range sent as the backfill signal from "Send a Signal" reaches SQS exactly', async () => {
    const { queueUrl, handle, truthIn } = await setup();
    const json = `{"from": "${isoSeconds(RANGE.gte)}", "to": "${isoSeconds(RANGE.lt)}"}`;
    const name = screenshot.replace(/\.png$/, '');
    removeArtifact(`${name}-failure.png`, `${name}-failure.html`);

    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    if (codec) {
      // The UI keeps the codec endpoint chosen under its "Codec Server" settings in local storage.
      await context.addInitScript({
        content: `localStorage.setItem('endpoint', ${JSON.stringify(JSON.stringify(codecUrl))});`,
      });
    }
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    let signalFrom: 'list' | 'typed' | undefined;
    try {
      await withFailureCapture(page, name, async () => {
        const link = await findInWorkflowList(page, handle.workflowId);
        await link.click();
        const dialog = await openSendSignal(page, handle.workflowId);
        signalFrom = await chooseSignal(dialog, 'backfill');
        await enterJson(dialog, json);
        if (!(await dialog.getByRole('radio', { name: 'json/plain' }).isChecked()))
          throw new Error('json/plain is not the chosen encoding');
        await dialog.screenshot({ path: artifactPath(screenshot) });
        await submit(dialog);
      });
    } finally {
      await context.close();
    }

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
