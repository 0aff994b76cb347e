import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { decode } from '@temporalio/common/lib/internal-non-workflow/codec-helpers';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type InjectedSinks } from '@temporalio/worker';
import { compoundDataConverter, PAYLOAD_CONVERTER_PATH } from '../../common/data-converter';
import type { ActivityInputSinks } from './activity-inputs';
import { FIXTURE_ENCRYPTION_KEYS } from './fixture-key';

// Upgrade safety: histories recorded from real runs — by this code and by every earlier version whose
// workflows may still be running — replay on the current workflow code. A change that would make a
// running workflow take a different path (a nondeterminism error in production) fails here. Record
// new ones with `npx tsx test/replay/record-histories.ts`; see "Upgrading" in the README. Each replayed
// activity's arguments must also equal the recorded ones (Temporal itself only compares types).

const HISTORIES = join(__dirname, 'histories');
const files = readdirSync(HISTORIES)
  .filter((f) => f.endsWith('.json'))
  .sort();
let bundlePath: string;

beforeAll(async () => {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // installed already
  }
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    workflowInterceptorModules: [require.resolve('./activity-inputs')],
    logger: new DefaultLogger('ERROR'),
  });
  bundlePath = join(tmpdir(), `compound-replay-${process.pid}.js`);
  writeFileSync(bundlePath, code);
});

it('covers every workflow type, recorded by more than one version of the code', () => {
  const types = new Set(
    files.map(
      (f) =>
        (JSON.parse(readFileSync(join(HISTORIES, f), 'utf8')) as History).events[0]
          .workflowExecutionStartedEventAttributes!.workflowType.name,
    ),
  );
  expect([...types].sort()).toEqual(['backfillInteraction', 'syncInteraction']);
  expect(new Set(files.map((f) => f.split('.')[1])).size).toBeGreaterThanOrEqual(2);
});

const dataConverter = compoundDataConverter({ COMPOUND_ENCRYPTION_KEYS: FIXTURE_ENCRYPTION_KEYS });

it.each(files)('%s replays on the current workflow code, asking for the same pages', async (file) => {
  const history = JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')) as History;
  const replayed: { type: string; args: unknown }[] = [];
  const sinks: InjectedSinks<ActivityInputSinks> = {
    replayed: {
      activityScheduled: {
        fn: (_info, type, args) => {
          replayed.push({ type, args: normalized(args) });
        },
        callDuringReplay: true,
      },
    },
  };
  await Worker.runReplayHistory(
    { workflowBundle: { codePath: bundlePath }, dataConverter, sinks },
    history as never,
    file,
  );
  expect(replayed).toEqual(await recordedActivities(history));
});

/** The activities the history scheduled, in order, with their arguments decoded. */
async function recordedActivities(json: History): Promise<{ type: string; args: unknown }[]> {
  const recorded = [];
  for (const event of historyFromJSON(json).events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (!scheduled) continue;
    const payloads = await decode(dataConverter.payloadCodecs ?? [], scheduled.input?.payloads ?? []);
    recorded.push({
      type: scheduled.activityType!.name!,
      args: normalized(payloads.map((p) => defaultPayloadConverter.fromPayload(p))),
    });
  }
  return recorded;
}

const normalized = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

interface History {
  events: { workflowExecutionStartedEventAttributes?: { workflowType: { name: string } } }[];
}
