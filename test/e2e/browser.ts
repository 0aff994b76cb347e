import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

// Browser plumbing for the end-to-end tests: Debian's Chromium driven by playwright-core (no browser
// download is possible here), a folder for screenshots kept as test artifacts (git-ignored), and the
// Temporal Web UI steps an operator takes to signal a workflow.

export const ARTIFACTS_DIR = resolve(__dirname, '..', '..', 'test-results', 'e2e');

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, name);
}

/** Drops artifacts a previous run left (a failure capture from an earlier, failed attempt). */
export function removeArtifact(...names: string[]): void {
  for (const name of names) rmSync(join(ARTIFACTS_DIR, name), { force: true });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    // Debian's chromium by default; COMPOUND_CHROMIUM points elsewhere (no browser is ever downloaded).
    executablePath: process.env.COMPOUND_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // Without the background-networking flags Chromium phones home and this machine's closed network
    // refuses the connections.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Runs `step`; if it throws, saves a full-page screenshot and the page's HTML next to the artifacts first. */
export async function withFailureCapture<T>(page: Page, name: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    await page
      .screenshot({ path: artifactPath(`${name}-failure.png`), fullPage: true })
      .catch(() => undefined);
    const html = await page.content().catch(() => '');
    if (html) writeFileSync(artifactPath(`${name}-failure.html`), html);
    throw err;
  }
}

// ---- Steps in the Temporal Web UI, as an operator takes them ----

/** Workflows list → "Add Filter" → WorkflowId "Equal to" `workflowId` → Apply; resolves to the row's link. */
export async function findInWorkflowList(page: Page, uiUrl: string, workflowId: string): Promise<Locator> {
  await page.goto(`${uiUrl}/namespaces/default/workflows`);
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
export async function openSendSignal(page: Page, workflowId: string): Promise<Locator> {
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
 * listing the signal handlers with their descriptions (`description` must show under the name);
 * otherwise a free-text "Signal name" field.
 */
export async function chooseSignal(
  dialog: Locator,
  name: string,
  description: RegExp,
): Promise<'list' | 'typed'> {
  const select = dialog.getByTestId('signal-select-button');
  // By test id: the duplicated dialog repeats the element ids, so the visible field's
  // <label for="signal-name"> points at the hidden copy and gives it no accessible name.
  const textField = dialog.getByTestId('signal-name');
  await select.or(textField).first().waitFor();
  if (await select.isVisible()) {
    await select.click();
    const option = dialog.getByRole('option', { name: new RegExp(`^${name}\\b`) });
    await option.getByText(description).waitFor();
    await option.click();
    const chosen = await dialog.getByTestId('signal-select').inputValue();
    if (chosen !== name) throw new Error(`the dialog's signal select shows "${chosen}", not "${name}"`);
    return 'list';
  }
  await textField.fill(name);
  if ((await textField.inputValue()) !== name) throw new Error('the signal name did not stick in the dialog');
  return 'typed';
}

/**
 * Types `json` into the dialog's CodeMirror JSON editor (select whatever is there and insert the text in
 * one go: no auto-closed brackets); an empty string clears it (a signal without input). With
 * `leaveEditor`, presses Tab afterwards, as the README tells operators: on blur the UI pretty-prints
 * the JSON, a one-line object becomes several lines, the dialog grows and the Submit button moves, so
 * a click that itself blurs the editor is lost (mousedown on the button, mouseup beside it).
 */
export async function enterJson(dialog: Locator, json: string, leaveEditor: boolean): Promise<void> {
  const keyboard = dialog.page().keyboard;
  const editor = dialog.locator('[contenteditable="true"][data-language="json"]');
  await editor.click();
  await keyboard.press('ControlOrMeta+A');
  if (json) await keyboard.insertText(json);
  else await keyboard.press('Delete');
  if (leaveEditor) {
    await keyboard.press('Tab');
    // CodeMirror marks its focused editor with `cm-focused`.
    if ((await dialog.locator('.cm-editor.cm-focused').count()) > 0)
      throw new Error('Tab did not move the focus out of the input editor');
  }
  const shown = (await editor.innerText()).trim();
  const same = json
    ? shown && JSON.stringify(JSON.parse(shown)) === JSON.stringify(JSON.parse(json))
    : !shown;
  if (!same) throw new Error(`the input editor shows ${shown || 'nothing'}, not ${json || 'nothing'}`);
}

/** Clicks Submit; the dialog closes once Temporal accepted the signal, and stays open otherwise. */
export async function submit(dialog: Locator): Promise<void> {
  await dialog.getByRole('button', { name: 'Submit', exact: true }).click();
  try {
    await dialog.waitFor({ state: 'hidden' });
  } catch (err) {
    // An alert explains a refused signal; none at all is the lost click of enterJson's note.
    const alert = await dialog
      .getByRole('alert')
      .innerText({ timeout: 1000 })
      .catch(() => '');
    throw new Error(`the Send a Signal dialog stayed open${alert ? `: ${alert}` : ''}`, { cause: err });
  }
}

export interface SignalToSend {
  name: string;
  /** The handler's description, shown under its name when the UI lists the signals. */
  description: RegExp;
  /** JSON input; none for a signal without input. */
  json?: string;
  /** Press Tab before Submit (see enterJson). */
  leaveEditor?: boolean;
}

/** On the workflow's page: Send a Signal, pick it, enter the input, Submit; resolves to how it was picked. */
export async function sendSignal(page: Page, workflowId: string, s: SignalToSend): Promise<'list' | 'typed'> {
  const dialog = await openSendSignal(page, workflowId);
  const pickedFrom = await chooseSignal(dialog, s.name, s.description);
  await enterJson(dialog, s.json ?? '', s.leaveEditor ?? false);
  await submit(dialog);
  return pickedFrom;
}
