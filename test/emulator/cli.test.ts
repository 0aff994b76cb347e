import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoState } from '../../dev/stripe-emulator';
import { bearer, rawGet } from './helpers';

// The emulator as the local stack runs it: `tsx dev/stripe-emulator/main.ts --demo --state-file …`
// prints its ready line, writes the state file (0600), serves the demo account, stops on SIGTERM.

const ROOT = join(__dirname, '..', '..');

it('starts with --demo and --state-file, serves, and exits 0 on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-cli-'));
  const stateFile = join(dir, 'state.json');
  const child = spawn(
    join(ROOT, 'node_modules', '.bin', 'tsx'),
    [
      join(ROOT, 'dev', 'stripe-emulator', 'main.ts'),
      '--port',
      '0',
      '--demo',
      '--state-file',
      stateFile,
      '--demo-charges',
      '150',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /^stripe emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as DemoState;
    expect(state).toMatchObject({ url, account: 'acct_compounddemo0001', mode: 'test' });
    expect(Object.keys(state.keys).sort()).toEqual(['restricted', 'restrictedNoSubscriptions', 'secret']);
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);

    const res = await rawGet(`${url}/v1/charges?limit=100`, bearer(state.keys.secret));
    expect(res.status).toBe(200);
    const summary = JSON.parse((await rawGet(`${url}/_emulator/accounts/${state.account}`)).body) as {
      counts: { charges: number };
    };
    expect(summary.counts.charges).toBe(150);

    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);
