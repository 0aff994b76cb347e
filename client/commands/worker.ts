import type { Command } from 'commander';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'Run a worker: the sync and backfill workflows and the fetchPage activity (task queue from COMPOUND_TASK_QUEUE)',
    )
    .action(async () => {
      // Loaded on demand: the other commands should not pay for the worker's native runtime.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runWorker } = require('../../worker/main') as typeof import('../../worker/main');
      await runWorker();
    });
}
