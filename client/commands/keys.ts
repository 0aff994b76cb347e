import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { generateKeySpec } from '../../common/encryption';
import { createOpener, generateSealingKeyPair, loadSealingPrivateKeys } from '../../common/sealed-keys';
import { withClient } from '../cli-client';
import { UsageError } from '../errors';
import { toJson } from '../output';
import { resealKeys } from '../reseal';
import { sealingKeyFromEnv } from '../seal-key';

export function registerKeysCommand(program: Command): void {
  const keys = program
    .command('keys')
    .description('Manage the codec keys (payloads in Temporal) and the sealing keys (Stripe keys)');
  keys
    .command('generate')
    .description('Print a new codec key as "id:base64"; prepend it to COMPOUND_ENCRYPTION_KEYS to rotate')
    .option('--id <id>', 'key id (default: k<date>)')
    .action((opts: { id?: string }) => {
      console.log(generateKeySpec(opts.id));
    });
  keys
    .command('generate-sealing')
    .description(
      'Write a new sealing key pair: the public key seals Stripe keys (CLI), the private key opens them (workers only)',
    )
    .requiredOption('--private <file>', 'where to write the private key (mode 0600; give it to workers only)')
    .requiredOption('--public <file>', 'where to write the public key (for the CLI)')
    .action((opts: { private: string; public: string }) => {
      const pair = generateSealingKeyPair();
      writeFileSync(opts.private, pair.privatePem, { mode: 0o600, flag: 'wx' });
      writeFileSync(opts.public, pair.publicPem, { mode: 0o644, flag: 'wx' });
      console.log(
        `wrote ${opts.private} (COMPOUND_SEALING_PRIVATE_KEYS_FILE, workers) and ${opts.public} (COMPOUND_SEALING_PUBLIC_KEY_FILE, CLI)`,
      );
    });
  keys
    .command('reseal')
    .description(
      "Seal every interaction's Stripe key with the current public key: keys stored in plaintext by older versions, and, with the old private keys at hand, keys sealed with an older pair",
    )
    .option('--json', 'print JSON only')
    .action((opts: { json?: boolean }) =>
      withClient(async (client) => {
        const privateKeys = loadSealingPrivateKeys();
        const outcomes = await resealKeys(
          client,
          sealingKeyFromEnv(),
          privateKeys.length ? createOpener(privateKeys) : undefined,
        );
        if (opts.json) return console.log(toJson(outcomes));
        for (const o of outcomes)
          console.log(
            `${o.id}: ${o.resealed ? `resealed (was ${o.was})` : o.problem ? `not resealed: ${o.problem}` : 'already sealed with the current key'}`,
          );
        if (outcomes.some((o) => o.problem))
          throw new UsageError('some keys could not be resealed (see above)');
      }),
    );
}
