jest.setTimeout(240000);
import type { Client } from '@temporalio/client';
import { createInteraction, type InteractionView } from '../../client/interactions';
import { PLAIN_KEY_REFUSED } from '../../client/stripe-key';
import { MISSING_KEY_MESSAGE } from '../../common/encryption';
import { slugify } from '../../common/interaction';
import { freePort } from '../../dev/processes';
import { emulatorAdmin, type EmulatorAdmin } from '../../dev/stripe-emulator/admin-client';
import { services } from '../services/env';
import { cliEnv, runCli, type CliResult } from '../support/cli';
import { backfillStatus, cleanUpInteraction, scheduleExists } from '../support/interactions';
import { uniqueName } from '../support/sqs';
import { testClient, testConfig } from '../support/temporal';

// Every way `compound interactions` can be given bad input: the message, the exit code (2 for input,
// 1 for failures), and nothing left behind in Temporal.

let admin: EmulatorAdmin;
let client: Client;
let keys: { secret: string; restricted: string; restrictedNoSubscriptions: string };
let env: Record<string, string | undefined>;
const ids: string[] = [];
// No worker polls it: these tests only register.
const TASK_QUEUE = 'interactions-errors-no-worker';

beforeAll(async () => {
  admin = emulatorAdmin(services().emulatorUrl);
  client = await testClient();
  keys = (await admin.createAccount({ mode: 'test', counts: { charges: 2, products: 2, subscriptions: 2 } }))
    .keys;
  env = cliEnv({
    COMPOUND_TASK_QUEUE: TASK_QUEUE,
    RK: keys.restricted,
    SK: keys.secret,
    RK_NO_SUBS: keys.restrictedNoSubscriptions,
    BAD_KEY: 'rk_test_ThisKeyDoesNotExist0000',
  });
});

afterAll(async () => {
  for (const id of ids) await cleanUpInteraction(client, id);
  await client?.connection.close();
});

function createArgs(
  name: string,
  extra: string[] = [],
  o: { resource?: string; frequency?: string } = {},
): string[] {
  return [
    'interactions',
    'create',
    '--name',
    name,
    '--resource',
    o.resource ?? 'charges',
    '--frequency',
    o.frequency ?? 'daily',
    '--stripe-api-base',
    services().emulatorUrl,
    ...extra,
  ];
}

async function expectNothingLeft(name: string): Promise<void> {
  const id = slugify(name);
  expect(await scheduleExists(client, id)).toBe(false);
  expect(await backfillStatus(client, id)).toBeUndefined();
}

function expectNoKeys(r: CliResult): void {
  for (const key of Object.values(keys)) {
    expect(r.stdout).not.toContain(key);
    expect(r.stderr).not.toContain(key);
  }
}

describe('create: bad input → exit 2, a message, nothing created', () => {
  it.each<[string, string[], { resource?: string; frequency?: string }, RegExp]>([
    [
      'unknown resource',
      ['--stripe-key-env', 'RK'],
      { resource: 'invoice' },
      /unknown resource "invoice"; did you mean invoices or invoiceitems\?/,
    ],
    [
      'bad frequency',
      ['--stripe-key-env', 'RK'],
      { frequency: 'weekly' },
      /frequency must be one of: hourly, daily, monthly/,
    ],
    [
      'hourly subscriptions',
      ['--stripe-key-env', 'RK'],
      { resource: 'subscriptions', frequency: 'hourly' },
      /subscriptions can be synced daily or monthly, not hourly/,
    ],
    [
      'page size 0',
      ['--stripe-key-env', 'RK', '--page-size', '0'],
      {},
      /page size must be between 1 and 100/,
    ],
    [
      'page size 101',
      ['--stripe-key-env', 'RK', '--page-size', '101'],
      {},
      /page size must be between 1 and 100/,
    ],
    [
      'page size not a number',
      ['--stripe-key-env', 'RK', '--page-size', 'lots'],
      {},
      /--page-size must be a whole number between 1 and 100/,
    ],
    [
      'unknown time zone',
      ['--stripe-key-env', 'RK', '--timezone', 'Mars/Olympus'],
      {},
      /timezone must be an IANA time zone/,
    ],
    ['bad queue URL', ['--stripe-key-env', 'RK', '--queue-url', 'queue'], {}, /queue URL must be a URL/],
    [
      'an ftp queue URL',
      ['--stripe-key-env', 'RK', '--queue-url', 'ftp://example.com/000000000000/q'],
      {},
      /queue URL must be an http\(s\) URL of an SQS queue/,
    ],
    [
      'a queue that does not exist',
      ['--stripe-key-env', 'RK', '--queue-url', `${services().sqsEndpoint}/000000000000/no-such-queue`],
      {},
      /the SQS queue http:\/\/.*\/no-such-queue does not exist: create it, or pass the URL of an existing queue/,
    ],
    [
      'no key',
      [],
      {},
      /a Stripe key is required: give it with --stripe-key-env VAR, --stripe-key-file PATH or --stripe-key - \(stdin\)/,
    ],
    [
      'two key sources',
      ['--stripe-key-env', 'RK', '--stripe-key-file', '/dev/null'],
      {},
      /give the Stripe key one way only/,
    ],
    [
      'unset key variable',
      ['--stripe-key-env', 'NOT_SET_ANYWHERE'],
      {},
      /the environment variable NOT_SET_ANYWHERE is not set or empty/,
    ],
    [
      'unreadable key file',
      ['--stripe-key-file', '/nonexistent/key'],
      {},
      /--stripe-key-file: cannot read \/nonexistent\/key: ENOENT/,
    ],
    ['malformed key', ['--stripe-key', '-'], {}, /the Stripe key must look like rk_test_…/],
    [
      'invalid key (401)',
      ['--stripe-key-env', 'BAD_KEY'],
      {},
      /Stripe rejected rk_test_…0000: the key is not valid/,
    ],
    [
      'key without Read on the resource (403)',
      ['--stripe-key-env', 'RK_NO_SUBS'],
      { resource: 'subscriptions' },
      /the key lacks Read permission on Subscriptions \(rak_subscription_read\): edit the restricted key in the Stripe dashboard and grant Read for Subscriptions/,
    ],
  ])('%s', async (_label, extra, o, message) => {
    const name = uniqueName('Bad');
    const r = await runCli(createArgs(name, extra, o), { env, stdin: 'not-a-key\n' });
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^compound: /);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
    expectNoKeys(r);
    await expectNothingLeft(name);
  });

  it('a key given as a plain --stripe-key value is refused, explaining why', async () => {
    const name = uniqueName('Plain');
    const r = await runCli(createArgs(name, ['--stripe-key', keys.restricted]), { env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`compound: ${PLAIN_KEY_REFUSED}`);
    expect(r.stderr).toMatch(/shell history/);
    expect(r.stderr).toMatch(/`ps`/);
    expectNoKeys(r);
    await expectNothingLeft(name);
  });

  it('a missing required option is a usage error (commander)', async () => {
    const r = await runCli(
      ['interactions', 'create', '--resource', 'charges', '--frequency', 'daily', '--stripe-key-env', 'RK'],
      { env },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required option '--name <name>' not specified/);
  });

  it('a duplicate name → exit 2, the first interaction untouched', async () => {
    const name = uniqueName('Dup');
    const id = slugify(name);
    ids.push(id);
    const first = await runCli(createArgs(name, ['--stripe-key-env', 'RK']), { env });
    expect(first.code).toBe(0);
    const second = await runCli(createArgs(name, ['--stripe-key-env', 'SK'], { frequency: 'monthly' }), {
      env,
    });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(
      new RegExp(`an interaction named ${id} already exists \\(schedule interaction-${id}\\)`),
    );
    const show = await runCli(['interactions', 'show', id, '--json'], { env });
    expect(JSON.parse(show.stdout)).toMatchObject({ frequency: 'daily', keyKind: 'restricted' });
  });

  it('no encryption key → the reason, exit 2, nothing created', async () => {
    const name = uniqueName('NoCodec');
    const r = await runCli(createArgs(name, ['--stripe-key-env', 'RK']), {
      env: { ...env, COMPOUND_ENCRYPTION_KEYS: undefined },
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`compound: ${MISSING_KEY_MESSAGE}`);
    await expectNothingLeft(name);
    const list = await runCli(['interactions', 'list'], {
      env: { ...env, COMPOUND_ENCRYPTION_KEYS: undefined },
    });
    expect([list.code, list.stderr.trim()]).toEqual([2, `compound: ${MISSING_KEY_MESSAGE}`]);
  });
});

describe('create: failures → exit 1', () => {
  it('an unreachable Stripe API is named in the message', async () => {
    const name = uniqueName('NoStripe');
    const base = `http://127.0.0.1:${await freePort()}`;
    const r = await runCli([...createArgs(name, ['--stripe-key-env', 'RK']), '--stripe-api-base', base], {
      env,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`cannot reach the Stripe API at ${base.replace(/\./g, '\\.')}`));
    await expectNothingLeft(name);
  });

  it('an unreachable Temporal is named in the message', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const r = await runCli(createArgs(uniqueName('NoTemporal'), ['--stripe-key-env', 'RK']), {
      env: { ...env, TEMPORAL_ADDRESS: address },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`cannot connect to Temporal at ${address.replace(/\./g, '\\.')}`));
  });
});

describe('keys: mode and kind', () => {
  it('a full secret key works, with a warning recommending a restricted read-only key', async () => {
    const name = uniqueName('Secret');
    ids.push(slugify(name));
    const r = await runCli(createArgs(name, ['--stripe-key-env', 'SK']), { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^compound: warning: sk_test_…\w{4} is a full secret key: .*Create a restricted key with Read on Charges/,
    );
    expect(r.stdout).toMatch(/Stripe key sk_test_…\w{4} works \(test mode, secret key\)/);
    expectNoKeys(r);
  });

  it('live mode is read from the prefix', async () => {
    const live = await admin.createAccount({
      mode: 'live',
      counts: { charges: 1, products: 0, subscriptions: 0 },
    });
    const name = uniqueName('Live');
    ids.push(slugify(name));
    const r = await runCli([...createArgs(name, ['--stripe-key-env', 'LIVE']), '--json'], {
      env: { ...env, LIVE: live.keys.restricted },
    });
    expect(r.code).toBe(0);
    const created = JSON.parse(r.stdout) as { interaction: InteractionView; key: { mode: string } };
    expect(created.key.mode).toBe('live');
    expect(created.interaction).toMatchObject({
      keyMode: 'live',
      stripeKey: `rk_live_…${live.keys.restricted.slice(-4)}`,
    });
    expect(r.stdout).not.toContain(live.keys.restricted);
  });
});

describe('unknown ids and bad updates', () => {
  let subsId: string;

  beforeAll(async () => {
    const { interaction } = await createInteraction(
      client,
      {
        name: uniqueName('Subs'),
        resource: 'subscriptions',
        frequency: 'daily',
        stripeKey: keys.restricted,
        stripeApiBase: services().emulatorUrl,
      },
      { config: testConfig(), taskQueue: TASK_QUEUE },
    );
    subsId = interaction.id;
    ids.push(subsId);
  });

  it.each([['show'], ['pause'], ['resume'], ['sync-now'], ['delete'], ['update', '--page-size', '10']])(
    '%s of an unknown id → exit 2',
    async (command, ...rest) => {
      const id = uniqueName('nobody');
      const r = await runCli(['interactions', command, id, ...rest], { env });
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(
        `compound: no interaction named ${id}; see \`compound interactions list\``,
      );
    },
  );

  const current = async () =>
    JSON.parse((await runCli(['interactions', 'show', subsId, '--json'], { env })).stdout) as InteractionView;

  it.each<[string, string[], RegExp]>([
    ['nothing to change', [], /nothing to update/],
    [
      'hourly subscriptions',
      ['--frequency', 'hourly'],
      /subscriptions can be synced daily or monthly, not hourly/,
    ],
    ['page size 500', ['--page-size', '500'], /page size must be between 1 and 100/],
    [
      'a queue that does not exist',
      ['--queue-url', `${services().sqsEndpoint}/000000000000/no-such-queue`],
      /the SQS queue .*no-such-queue does not exist/,
    ],
    ['unknown time zone', ['--timezone', 'Nowhere/Special'], /IANA time zone/],
    [
      'a plain key',
      ['--stripe-key', 'rk_test_abcdefghijklmnop'],
      /refusing a Stripe key given on the command line/,
    ],
    ['an invalid key (401)', ['--stripe-key-env', 'BAD_KEY'], /the key is not valid/],
    [
      'a key without Read on Subscriptions (403)',
      ['--stripe-key-env', 'RK_NO_SUBS'],
      /the key lacks Read permission on Subscriptions/,
    ],
  ])('update with %s → exit 2, the interaction unchanged', async (_label, extra, message) => {
    const before = await current();
    const r = await runCli(['interactions', 'update', subsId, ...extra], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expectNoKeys(r);
    const after = await current();
    expect(after).toEqual(before);
  });
});
