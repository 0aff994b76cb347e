import { Command } from 'commander';
import { registerInteractionsCommand } from '../../client/commands/interactions';
import { UsageError } from '../../client/errors';
import { PLAIN_KEY_REFUSED } from '../../client/stripe-key';

// The commander wiring of `compound interactions`, in-process: bad input is refused before anything
// connects to Temporal, so these run without services.

function program(): { cli: Command; output: () => string } {
  let text = '';
  const cli = new Command('compound')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  registerInteractionsCommand(cli);
  return { cli, output: () => text };
}

const run = (args: string[]) => program().cli.parseAsync(['node', 'compound', ...args]);

describe('compound interactions (commander wiring)', () => {
  it('has the documented subcommands, each with --help', () => {
    const { cli } = program();
    const interactions = cli.commands.find((c) => c.name() === 'interactions')!;
    expect(interactions.commands.map((c) => c.name())).toEqual([
      'create',
      'list',
      'show',
      'pause',
      'resume',
      'update',
      'sync-now',
      'delete',
    ]);
    for (const c of interactions.commands) expect(c.helpInformation()).toContain('--help');
  });

  it('create lists every option, and --json on the read commands', () => {
    const { cli } = program();
    const interactions = cli.commands.find((c) => c.name() === 'interactions')!;
    const flags = (name: string) =>
      interactions.commands.find((c) => c.name() === name)!.options.map((o) => o.long);
    expect(flags('create')).toEqual([
      '--name',
      '--resource',
      '--frequency',
      '--mode',
      '--account',
      '--stripe-key-env',
      '--stripe-key-file',
      '--stripe-key',
      '--page-size',
      '--rate-share',
      '--compression',
      '--queue-url',
      '--stripe-api-base',
      '--timezone',
      '--task-queue',
      '--json',
    ]);
    for (const read of ['list', 'show', 'sync-now']) expect(flags(read)).toContain('--json');
    expect(flags('sync-now')).toContain('--wait');
    expect(flags('update')).toEqual(
      expect.arrayContaining([
        '--frequency',
        '--page-size',
        '--compression',
        '--stripe-key-env',
        '--stripe-key-file',
        '--stripe-key',
      ]),
    );
  });

  const create = [
    'interactions',
    'create',
    '--name',
    'Acme',
    '--resource',
    'charges',
    '--frequency',
    'daily',
  ];

  it('refuses a plain --stripe-key before connecting', async () => {
    await expect(run([...create, '--stripe-key', 'sk_test_abcdefghijklmnop'])).rejects.toThrow(
      PLAIN_KEY_REFUSED,
    );
  });

  it('refuses bad input before connecting', async () => {
    process.env.COMPOUND_TEST_KEY = 'rk_test_abcdefghijklmnop';
    try {
      await expect(
        run([...create, '--stripe-key-env', 'COMPOUND_TEST_KEY', '--page-size', 'x']),
      ).rejects.toThrow(UsageError);
      await expect(
        run([...create.slice(0, 6), '--frequency', 'weekly', '--stripe-key-env', 'COMPOUND_TEST_KEY']),
      ).rejects.toThrow(/frequency must be one of/);
      await expect(run(create)).rejects.toThrow(/a Stripe key is required/);
    } finally {
      delete process.env.COMPOUND_TEST_KEY;
    }
  });

  it('a missing required option is a commander usage error', async () => {
    const p = program();
    await expect(
      p.cli.parseAsync(['node', 'compound', 'interactions', 'create', '--name', 'x']),
    ).rejects.toMatchObject({
      code: 'commander.missingMandatoryOptionValue',
    });
    expect(p.output()).toMatch(/required option '--resource <resource>' not specified/);
  });
});
