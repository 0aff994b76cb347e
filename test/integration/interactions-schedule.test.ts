jest.setTimeout(120000);
import type { Client, WorkflowClientInterceptor } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import { Client as TemporalClient } from '@temporalio/client';
import { COMPOUND_INTERACTION, COMPOUND_RESOURCE } from '../../client/search-attributes';
import { createInteraction, deleteInteraction, getInteraction, triggerSync } from '../../client/interactions';
import { backfillWorkflowId, scheduleId } from '../../common/interaction';
import { compoundDataConverter } from '../../common/data-converter';
import { emulatorAdmin } from '../../dev/stripe-emulator/admin-client';
import { services } from '../services/env';
import { openStoredKey } from '../support/sealed';
import { backfillStatus, cleanUpInteraction, scheduleExists } from '../support/interactions';
import { uniqueName } from '../support/sqs';
import { testClient, testConfig } from '../support/temporal';

// The schedules createInteraction makes, read back from a real Temporal server: spec, policies, memo,
// search attributes and the next action times Temporal computes from them.

const admin = emulatorAdmin(services().emulatorUrl);
let client: Client;
let key: string;
const created: string[] = [];
const taskQueue = 'interactions-schedule-no-worker';

beforeAll(async () => {
  client = await testClient();
  key = (await admin.createAccount({ mode: 'test', counts: { charges: 3, products: 3, subscriptions: 3 } }))
    .keys.restricted;
});

afterAll(async () => {
  for (const id of created) await cleanUpInteraction(client, id);
  await client?.connection.close();
});

async function create(frequency: string, timezone: string, resource = 'charges') {
  const name = uniqueName(`sched ${frequency}`);
  const { interaction } = await createInteraction(
    client,
    { name, resource, frequency, timezone, stripeKey: key, stripeApiBase: services().emulatorUrl },
    { config: testConfig(), taskQueue },
  );
  created.push(interaction.id);
  return client.schedule.getHandle(scheduleId(interaction.id)).describe();
}

/** Wall-clock parts of an instant in a time zone. */
function local(date: Date, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(date)
      .map((p) => [p.type, Number(p.value)]),
  );
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
  };
}

describe('next action times', () => {
  it('hourly: one hour apart, on the hour', async () => {
    const desc = await create('hourly', 'UTC');
    const times = desc.info.nextActionTimes;
    expect(times.length).toBeGreaterThanOrEqual(3);
    expect(times[0].getTime()).toBeGreaterThan(Date.now());
    expect(times[0].getTime() - Date.now()).toBeLessThanOrEqual(3600_000);
    for (const t of times)
      expect([t.getUTCMinutes(), t.getUTCSeconds(), t.getUTCMilliseconds()]).toEqual([0, 0, 0]);
    for (let i = 1; i < times.length; i++) expect(times[i].getTime() - times[i - 1].getTime()).toBe(3600_000);
  });

  it('hourly in a half-hour zone fires on the local hour (hh:30 UTC in Asia/Kolkata)', async () => {
    const desc = await create('hourly', 'Asia/Kolkata');
    for (const t of desc.info.nextActionTimes) {
      expect(t.getUTCMinutes()).toBe(30);
      expect(local(t, 'Asia/Kolkata').minute).toBe(0);
    }
  });

  it.each(['America/New_York', 'Asia/Kolkata', 'UTC'])(
    'daily: midnight in %s, one local day apart',
    async (tz) => {
      const desc = await create('daily', tz);
      const times = desc.info.nextActionTimes;
      expect(times.length).toBeGreaterThanOrEqual(3);
      expect(times[0].getTime() - Date.now()).toBeLessThanOrEqual(25 * 3600_000);
      for (const t of times) expect(local(t, tz)).toMatchObject({ hour: 0, minute: 0, second: 0 });
      for (let i = 1; i < times.length; i++) {
        // 23, 24 or 25 hours: a DST change in New York moves midnight, not the date.
        const hours = (times[i].getTime() - times[i - 1].getTime()) / 3600_000;
        expect([23, 24, 25]).toContain(hours);
      }
      if (tz === 'Asia/Kolkata')
        for (const t of times) expect([t.getUTCHours(), t.getUTCMinutes()]).toEqual([18, 30]);
    },
  );

  it.each(['UTC', 'America/New_York'])('monthly: the 1st at midnight in %s', async (tz) => {
    const desc = await create('monthly', tz, 'subscriptions');
    const times = desc.info.nextActionTimes;
    expect(times.length).toBeGreaterThanOrEqual(2);
    const months = times.map((t) => local(t, tz));
    for (const m of months) expect(m).toMatchObject({ day: 1, hour: 0, minute: 0, second: 0 });
    for (let i = 1; i < months.length; i++) {
      expect(months[i].year * 12 + months[i].month - (months[i - 1].year * 12 + months[i - 1].month)).toBe(1);
    }
  });
});

describe('the schedule and the backfill workflow', () => {
  it('policies, memo, action and typed search attributes', async () => {
    const desc = await create('hourly', 'UTC', 'products');
    const id = desc.scheduleId.replace(/^interaction-/, '');
    expect(desc.policies).toMatchObject({
      overlap: 'SKIP',
      catchupWindow: 10 * 60_000,
      pauseOnFailure: false,
    });
    expect(desc.memo?.interaction).toEqual({
      id,
      name: expect.any(String),
      resource: 'products',
      registeredAt: expect.any(String),
    });
    expect(desc.typedSearchAttributes.get(COMPOUND_INTERACTION)).toBe(id);
    expect(desc.typedSearchAttributes.get(COMPOUND_RESOURCE)).toBe('products');
    expect(desc.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'syncInteraction',
      workflowId: `sync-${id}`,
      taskQueue,
    });
    if (desc.action.type !== 'startWorkflow') throw new Error('unreachable');
    // Described actions carry a TypedSearchAttributes (the option type also allows a plain pair list).
    const actionAttributes = desc.action.typedSearchAttributes as TypedSearchAttributes;
    expect(actionAttributes.get(COMPOUND_INTERACTION)).toBe(id);
    expect(actionAttributes.get(COMPOUND_RESOURCE)).toBe('products');
    // The key is stored sealed for the workers, with its dashboard form beside it for display.
    expect(desc.action.args).toEqual([
      {
        interactionId: id,
        interaction: expect.objectContaining({
          id,
          stripeKey: expect.stringMatching(/^sealed:v1:/),
          stripeKeyHint: `rk_test_…${key.slice(-4)}`,
          pageSize: 100,
        }),
      },
    ]);
    const stored = (desc.action.args![0] as { interaction: { stripeKey: string } }).interaction;
    expect(openStoredKey(stored.stripeKey)).toBe(key);

    const backfill = await client.workflow.getHandle(backfillWorkflowId(id)).describe();
    expect(backfill.status.name).toBe('RUNNING');
    expect(backfill.type).toBe('backfillInteraction');
    expect(backfill.taskQueue).toBe(taskQueue);
    expect(backfill.typedSearchAttributes.get(COMPOUND_INTERACTION)).toBe(id);
    expect(backfill.typedSearchAttributes.get(COMPOUND_RESOURCE)).toBe('products');
  });

  it('daily and monthly get a one-hour catch-up window', async () => {
    expect((await create('daily', 'UTC')).policies.catchupWindow).toBe(3600_000);
  });

  it('when the backfill workflow cannot start, the schedule is removed again', async () => {
    const failingStart: WorkflowClientInterceptor = {
      async start() {
        throw new Error('simulated: Temporal refused the start');
      },
    };
    const failing = new TemporalClient({
      connection: client.connection,
      namespace: 'default',
      dataConverter: compoundDataConverter(),
      interceptors: { workflow: [failingStart] },
    });
    const name = uniqueName('rollback');
    const id = name;
    await expect(
      createInteraction(
        failing,
        {
          name,
          resource: 'charges',
          frequency: 'daily',
          stripeKey: key,
          stripeApiBase: services().emulatorUrl,
        },
        { config: testConfig(), taskQueue },
      ),
    ).rejects.toThrow(
      /could not start the backfill workflow backfill-.*simulated: Temporal refused the start/,
    );
    expect(await scheduleExists(client, id)).toBe(false);
    expect(await backfillStatus(client, id)).toBeUndefined();
  });

  it('delete without a worker: the backfill is cancelled, then terminated when nothing takes the cancellation', async () => {
    const desc = await create('daily', 'UTC');
    const id = desc.scheduleId.replace(/^interaction-/, '');
    const deleted = await deleteInteraction(client, id, { backfillTimeoutMs: 1000 });
    expect(deleted).toEqual({ id, scheduleDeleted: true, backfill: 'terminated', cancelledSyncs: [] });
    expect(await scheduleExists(client, id)).toBe(false);
    expect(await backfillStatus(client, id)).toBe('TERMINATED');
    await expect(getInteraction(client, id)).rejects.toThrow(`no interaction named ${id}`);
  });

  it('sync-now while a sync runs starts no second one (overlap SKIP) and reports the running one', async () => {
    const desc = await create('daily', 'UTC');
    const id = desc.scheduleId.replace(/^interaction-/, '');
    // No worker polls this task queue, so the first sync stays running.
    const first = await triggerSync(client, id);
    expect(first).toMatchObject({
      id,
      started: true,
      workflowId: expect.stringMatching(new RegExp(`^sync-${id}-`)),
    });
    const second = await triggerSync(client, id);
    expect(second).toEqual({ ...first, started: false });
    const after = await client.schedule.getHandle(scheduleId(id)).describe();
    expect(after.info.numActionsTaken).toBe(1);
    expect(after.info.runningActions.map((a) => a.workflow.workflowId)).toEqual([first.workflowId]);

    const deleted = await deleteInteraction(client, id, { backfillTimeoutMs: 500 });
    expect(deleted.cancelledSyncs).toEqual([first.workflowId]);
    await client.workflow.getHandle(first.workflowId).terminate('test clean-up (no worker)');
  });
});
