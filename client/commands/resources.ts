import type { Command } from 'commander';
import { formatResourceTable, resourceRows } from '../resource-table';
import { toJson } from '../output';

export function registerResourcesCommand(program: Command): void {
  program
    .command('resources')
    .description(
      'List the Stripe resources an interaction can sync, their frequencies and the key permission each needs',
    )
    .option('--json', 'print them as JSON')
    .addHelpText(
      'after',
      '\nCREATED FILTER no: the list is read in one sequential slice and cannot be backfilled by date.\n' +
        'EVENTS no: Stripe sends no events about it, so every run reads everything.',
    )
    .action((o: { json?: boolean }) => {
      process.stdout.write(`${o.json ? toJson(resourceRows()) : formatResourceTable()}\n`);
    });
}
