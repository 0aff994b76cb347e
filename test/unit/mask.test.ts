import { maskKey, redactSecrets } from '../../common/mask';

describe('secret masking', () => {
  it('masks a key to prefix and last four, like the Stripe dashboard', () => {
    expect(maskKey('rk_test_51AbCdEfGhIjKlMnOp1234')).toBe('rk_test_…1234');
    expect(maskKey('sk_live_zzzzzzzzzzzzzzzzwxyz')).toBe('sk_live_…wxyz');
  });

  it('redacts every key in free text, including the partly starred ones Stripe echoes back', () => {
    const text = 'Invalid API Key provided: sk_test_****abcd; also rk_live_SECRETSECRETSECRET9876 failed';
    const out = redactSecrets(text);
    expect(out).not.toContain('SECRETSECRETSECRET');
    expect(out).toContain('rk_live_…9876');
    expect(out).toContain('sk_test_…abcd');
  });
});
