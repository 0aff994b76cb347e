import type { Command } from 'commander';
import { loadConfig } from '../../common/config';
import { redactSecrets } from '../../common/mask';
import { FREQUENCIES, RESOURCE_NAMES } from '../../stripe/resources';
import { withClient } from '../cli-client';
import { formatRetrying, watchRetrying } from '../retrying';
import { UsageError } from '../errors';
import {
  addStripeKeyOptions,
  defaultKeyReadContext,
  parsePageSize,
  parseRateShare,
  readKeyOption,
  type RawInteractionOptions,
} from '../interaction-options';
import {
  createInteraction,
  deleteInteraction,
  getInteraction,
  listInteractions,
  parseInteractionInput,
  pauseInteraction,
  resumeInteraction,
  triggerSync,
  updateInteraction,
  waitForSync,
} from '../interactions';
import {
  formatCreated,
  formatDeleted,
  formatInteraction,
  formatInteractionList,
  formatSyncNow,
  formatUpdated,
  toJson,
} from '../output';
import { KEY_SOURCE_HELP } from '../stripe-key';

// `compound interactions …`: parses options, calls the library in client/interactions.ts, prints.
// stdout gets the result (JSON only with --json); warnings and errors go to stderr.

const MODE_HELP =
  'incremental (default where Stripe has events for the resource): a full snapshot first, then only what changed; snapshot: every run reads everything';

const ACCOUNT_HELP =
  'the Stripe account (acct_…) whose rate limit this interaction shares with the others of that account; found from the key when it allows (default: one budget per key)';

const RATE_SHARE_HELP =
  "share of the account's Stripe rate limit Compound may use, like 0.5 or 50% (above 0, at most 1; default 0.95); the merchant's own integration shares that limit";

const COMPRESSION_HELP =
  'message bodies: none (JSON, the default) or gzip (gzip-compressed JSON in base64, with the message attribute compound-content-encoding=gzip; ~7× smaller on charges, so fewer 64 KB chunks billed per page)';

const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
const warn = (text: string) => process.stderr.write(`compound: warning: ${redactSecrets(text)}\n`);

export function registerInteractionsCommand(program: Command): void {
  const interactions = program
    .command('interactions')
    .description(
      'Register and manage interactions: one Stripe resource of one account, synced on a schedule',
    );

  const create = interactions
    .command('create')
    .description(
      'Register an interaction: checks the Stripe key, creates its schedule and its idle backfill workflow',
    )
    .requiredOption('--name <name>', 'a name; its slug is the interaction id ("Acme charges" → acme-charges)')
    .requiredOption(
      '--resource <resource>',
      `Stripe resource (see \`compound resources\`): ${RESOURCE_NAMES.join(', ')}`,
    )
    .requiredOption(
      '--frequency <frequency>',
      `${FREQUENCIES.join(', ')} (subscriptions: daily or monthly; see \`compound resources\`)`,
    )
    .option('--mode <mode>', MODE_HELP)
    .option('--account <acct_id>', ACCOUNT_HELP);
  addStripeKeyOptions(create)
    .option('--page-size <n>', 'objects per Stripe page, 1–100', '100')
    .option('--rate-share <fraction>', RATE_SHARE_HELP)
    .option('--compression <compression>', COMPRESSION_HELP)
    .option('--queue-url <url>', 'SQS extraction queue (default: COMPOUND_QUEUE_URL)')
    .option(
      '--stripe-api-base <url>',
      'Stripe API base URL: the emulator or a proxy (default https://api.stripe.com)',
    )
    .option('--timezone <tz>', 'IANA time zone the frequency runs in (daily = midnight there)', 'UTC')
    .option('--task-queue <name>', 'task queue of the workers (default: COMPOUND_TASK_QUEUE or "compound")')
    .option('--json', 'print the created interaction as JSON')
    .addHelpText(
      'after',
      `\nThe Stripe key is required, given as ${KEY_SOURCE_HELP}.\nA restricted key with Read on the resource is recommended.`,
    )
    .action(async (o: RawInteractionOptions) => {
      const stripeKey = await readKeyOption(o, defaultKeyReadContext());
      if (stripeKey === undefined)
        throw new UsageError(`a Stripe key is required: give it with ${KEY_SOURCE_HELP}`);
      const config = loadConfig();
      const input = {
        name: o.name ?? '',
        resource: o.resource ?? '',
        frequency: o.frequency ?? '',
        mode: o.mode,
        account: o.account,
        stripeKey,
        pageSize: parsePageSize(o.pageSize),
        rateShare: parseRateShare(o.rateShare),
        compression: o.compression,
        queueUrl: o.queueUrl,
        stripeApiBase: o.stripeApiBase,
        timezone: o.timezone,
      };
      // Bad input is reported before connecting to anything.
      parseInteractionInput(input, config);
      const created = await withClient((client) =>
        createInteraction(client, input, { config, taskQueue: o.taskQueue }),
      );
      created.key.warnings.forEach(warn);
      out(o.json ? toJson(created) : formatCreated(created));
    });

  interactions
    .command('list')
    .description('List interactions: frequency, paused or not, next run, last run and its result')
    .option('--json', 'print JSON only')
    .action(async (o: { json?: boolean }) => {
      const list = await withClient((client) => listInteractions(client));
      out(o.json ? toJson(list) : formatInteractionList(list));
    });

  interactions
    .command('show')
    .description('Show one interaction, its next runs and its recent runs with their results')
    .argument('<id>', 'interaction id (or its name)')
    .option('--json', 'print JSON only')
    .action(async (id: string, o: { json?: boolean }) => {
      const view = await withClient((client) => getInteraction(client, id));
      out(o.json ? toJson(view) : formatInteraction(view));
    });

  interactions
    .command('pause')
    .description('Pause the schedule: no runs until resumed (sync-now still works)')
    .argument('<id>', 'interaction id (or its name)')
    .action(async (id: string) => {
      const r = await withClient((client) => pauseInteraction(client, id));
      out(r.changed ? `Paused ${r.id}.` : `${r.id} was already paused.`);
    });

  interactions
    .command('resume')
    .description('Resume a paused schedule')
    .argument('<id>', 'interaction id (or its name)')
    .action(async (id: string) => {
      const r = await withClient((client) => resumeInteraction(client, id));
      out(r.changed ? `Resumed ${r.id}.` : `${r.id} was not paused.`);
    });

  const update = interactions
    .command('update')
    .description(
      'Change the frequency, mode, account, rate share, compression, page size, time zone or queue, or rotate the Stripe key',
    )
    .argument('<id>', 'interaction id (or its name)')
    .option('--frequency <frequency>', FREQUENCIES.join(', '))
    .option('--mode <mode>', MODE_HELP)
    .option('--account <acct_id>', ACCOUNT_HELP)
    .option('--page-size <n>', 'objects per Stripe page, 1–100')
    .option('--rate-share <fraction>', RATE_SHARE_HELP)
    .option('--compression <compression>', COMPRESSION_HELP)
    .option('--timezone <tz>', 'IANA time zone the frequency runs in')
    .option('--queue-url <url>', 'SQS extraction queue')
    .option('--stripe-api-base <url>', 'Stripe API base URL');
  addStripeKeyOptions(update, ' (key rotation)')
    .option('--json', 'print the updated interaction as JSON')
    .action(async (id: string, o: RawInteractionOptions) => {
      const stripeKey = await readKeyOption(o, defaultKeyReadContext());
      const changes = {
        frequency: o.frequency,
        mode: o.mode,
        account: o.account,
        pageSize: parsePageSize(o.pageSize),
        rateShare: parseRateShare(o.rateShare),
        compression: o.compression,
        timezone: o.timezone,
        queueUrl: o.queueUrl,
        stripeApiBase: o.stripeApiBase,
        stripeKey,
      };
      const updated = await withClient((client) => updateInteraction(client, id, changes));
      updated.key?.warnings.forEach(warn);
      updated.notes?.forEach(warn);
      out(o.json ? toJson(updated) : formatUpdated(updated));
    });

  interactions
    .command('sync-now')
    .description('Start a sync now (skipped if one is already running; that one is reported)')
    .argument('<id>', 'interaction id (or its name)')
    .option('--wait', 'wait for the sync to finish and print its summary')
    .option('--full', 'read every object this time, not only the changes (incremental interactions)')
    .option('--json', 'print JSON only')
    .action(async (id: string, o: { wait?: boolean; full?: boolean; json?: boolean }) => {
      const result = await withClient(async (client) => {
        const r = await triggerSync(client, id, { full: o.full });
        if (!o.wait) return r;
        if (!o.json)
          process.stderr.write(
            `${r.started ? 'Started' : 'Already running:'} ${r.workflowId}; waiting for it to finish…\n`,
          );
        // Said while it happens, not only after the retries run out.
        const stop = watchRetrying(client, r.workflowId, (retrying) => {
          if (retrying) process.stderr.write(`${formatRetrying(retrying)}\n`);
          else process.stderr.write('pages are going through again\n');
        });
        try {
          return { ...r, summary: await waitForSync(client, r) };
        } finally {
          stop();
        }
      });
      out(o.json ? toJson(result) : formatSyncNow(result));
    });

  interactions
    .command('delete')
    .description('Delete the interaction: removes its schedule and ends its backfill workflow')
    .argument('<id>', 'interaction id (or its name)')
    .action(async (id: string) => {
      const deleted = await withClient((client) => deleteInteraction(client, id));
      out(formatDeleted(deleted));
    });
}
