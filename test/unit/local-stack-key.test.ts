import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withLocalStackKey } from '../../client/local-stack-key';

describe('the CLI finds the local stack key by itself', () => {
  const stack = mkdtempSync(join(tmpdir(), 'stack-'));
  mkdirSync(stack, { recursive: true });
  writeFileSync(join(stack, 'encryption-keys'), 'local1:AAAA\n');

  it('uses the stack key when no key is configured', () => {
    expect(withLocalStackKey({ COMPOUND_STACK_DIR: stack }).COMPOUND_ENCRYPTION_KEY_FILE).toBe(
      join(stack, 'encryption-keys'),
    );
  });

  it('never overrides a configured key', () => {
    const env = withLocalStackKey({ COMPOUND_STACK_DIR: stack, COMPOUND_ENCRYPTION_KEYS: 'k:x' });
    expect(env.COMPOUND_ENCRYPTION_KEYS).toBe('k:x');
    expect(env.COMPOUND_ENCRYPTION_KEY_FILE).toBeUndefined();
    expect(
      withLocalStackKey({ COMPOUND_STACK_DIR: stack, COMPOUND_ENCRYPTION_KEY_FILE: '/etc/k' })
        .COMPOUND_ENCRYPTION_KEY_FILE,
    ).toBe('/etc/k');
  });
});
