import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { compoundDataConverter, PAYLOAD_CONVERTER_PATH } from '../../common/data-converter';
import { FIXTURE_ENCRYPTION_KEYS } from './fixture-key';

// Issue 18's failure, reproduced: a backfill recorded under load (many completions and signals per
// workflow task) replayed by a worker whose paging rule differs without a patch fails with the very
// error the issue saw — "No command scheduled for event … ActivityTaskScheduled". The same history
// replays on the code as it is (replay.test.ts): the load itself does not make decisions differ, a
// changed rule does. This is what the patch rule in the README ("Upgrading workers") and the replay
// corpus guard against.

const dataConverter = compoundDataConverter({ COMPOUND_ENCRYPTION_KEYS: FIXTURE_ENCRYPTION_KEYS });
let code: string;

beforeAll(async () => {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // installed already
  }
  ({ code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    logger: new DefaultLogger('ERROR'),
  }));
});

/** The workflow bundle with one constant of the paging rules changed in place, as an unpatched edit would. */
function bundleWith(constant: string, from: number, to: number): string {
  const declaration = `const ${constant} = ${from};`;
  expect(code).toContain(declaration);
  const path = join(tmpdir(), `compound-unpatched-${constant}-${process.pid}.js`);
  writeFileSync(path, code.replace(declaration, `const ${constant} = ${to};`));
  return path;
}

const replay = (codePath: string, file: string) =>
  Worker.runReplayHistory(
    { workflowBundle: { codePath }, dataConverter },
    JSON.parse(readFileSync(join(__dirname, 'histories', file), 'utf8')) as never,
    file,
  );

it.each([
  // Runs started before the request budget: a slice is split only from 8 pages left.
  ['load-walk.bd84a9b.run1.json', 'MIN_PAGES_TO_SPLIT', 8, 64],
  // Plans within the request budget: a split must leave two slices of 8 pages.
  ['load-walk.d00aba2.run1.json', 'MIN_PAGES_TO_SPLIT_IN_BUDGET', 16, 64],
])(
  '%s, recorded under load, fails replay with issue 18’s error once %s changes from %d to %d without a patch',
  async (file, constant, from, to) => {
    await expect(replay(bundleWith(constant, from, to), file)).rejects.toThrow(
      /Nondeterminism error: No command scheduled for event HistoryEvent\(id: \d+, ActivityTaskScheduled\)/,
    );
    // The unchanged bundle replays it: the failure is the rule change, nothing else.
    await expect(replay(bundleWith(constant, from, from), file)).resolves.toBeUndefined();
  },
);
