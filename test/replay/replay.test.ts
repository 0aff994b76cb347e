import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { compoundDataConverter, PAYLOAD_CONVERTER_PATH } from '../../common/data-converter';
import { FIXTURE_ENCRYPTION_KEYS } from './fixture-key';

// Upgrade safety: histories recorded from real runs — by this code and by every earlier version whose
// workflows may still be running — replay on the current workflow code. A change that would make a
// running workflow take a different path (a nondeterminism error in production) fails here. Record
// new ones with `npx tsx test/replay/record-histories.ts`; see "Upgrading" in the README.

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

it.each(files)('%s replays on the current workflow code', async (file) => {
  const history = JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')) as History;
  await Worker.runReplayHistory(
    {
      workflowBundle: { codePath: bundlePath },
      dataConverter: compoundDataConverter({ COMPOUND_ENCRYPTION_KEYS: FIXTURE_ENCRYPTION_KEYS }),
    },
    history as never,
    file,
  );
});

interface History {
  events: { workflowExecutionStartedEventAttributes?: { workflowType: { name: string } } }[];
}
