import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '../../dev/processes';

// A local service that never becomes healthy: the error names it and shows the end of its log, since
// the log's folder may be gone by the time someone reads the error (CI, tests' temporary stacks).

it('a service that never answers: the error says so, with the last lines of its log', async () => {
  const logFile = join(mkdtempSync(join(tmpdir(), 'wait-until-')), 'temporal.log');
  writeFileSync(logFile, Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
  const waited = waitUntil(
    'Temporal dev server at 127.0.0.1:1',
    () => Promise.reject(new Error('Failed to connect before the deadline')),
    300,
    `see ${logFile}`,
    logFile,
  );
  await expect(waited).rejects.toThrow(
    'Temporal dev server at 127.0.0.1:1 did not become healthy within 0.3s (Failed to connect before the deadline)',
  );
  const message = await waited.catch((err: Error) => err.message);
  expect(message).toContain(`last lines of ${logFile}:\nline 16\n`);
  expect(message).toMatch(/line 30$/);
  expect(message).not.toContain('line 15\n');
});
