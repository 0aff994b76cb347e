import { Command, CommanderError } from 'commander';
import { registerBackfillCommand } from './commands/backfill';
import { registerCodecServerCommand } from './commands/codec-server';
import { registerInteractionsCommand } from './commands/interactions';
import { registerKeysCommand } from './commands/keys';
import { registerResourcesCommand } from './commands/resources';
import { registerWorkerCommand } from './commands/worker';
import { exitCodeFor, printError } from './errors';

const program = new Command('compound')
  .description('Sync Stripe data to an SQS extraction queue on Temporal schedules')
  .showHelpAfterError()
  .exitOverride();

registerBackfillCommand(program);
registerCodecServerCommand(program);
registerInteractionsCommand(program);
registerKeysCommand(program);
registerResourcesCommand(program);
registerWorkerCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    // Commander already printed help/usage; map its exit code to ours (2 = bad usage).
    process.exitCode = err.exitCode === 0 ? 0 : 2;
    return;
  }
  printError(err);
  process.exitCode = exitCodeFor(err);
});
