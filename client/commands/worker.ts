import type { Command } from 'commander';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run a worker: the sync and backfill workflows and the fetchPage activity (task queue from COMPOUND_TASK_QUEUE)')
    .action(async () => {
      const { runWorker } = await import('../../worker/main');
      await runWorker();
    });
}
