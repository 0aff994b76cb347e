import type { Command } from 'commander';
import { generateKeySpec } from '../../common/encryption';

export function registerKeysCommand(program: Command): void {
  const keys = program
    .command('keys')
    .description('Manage the encryption keys that protect payloads in Temporal');
  keys
    .command('generate')
    .description('Print a new key as "id:base64"; prepend it to COMPOUND_ENCRYPTION_KEYS to rotate')
    .option('--id <id>', 'key id (default: k<date>)')
    .action((opts: { id?: string }) => {
      console.log(generateKeySpec(opts.id));
    });
}
