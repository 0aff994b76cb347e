import { budgetFor } from '../../client/interaction-input';
import { budgetOf, fairnessKeyOf, pagePriorityOf } from '../../common/interaction';
import { keyBudget } from '../../stripe/account';
import { STRIPE_REQUESTS_PER_SECOND } from '../../worker/fairness';

// Which budget an interaction's requests draw from, and the fairness key Temporal limits it by.

const base = { id: 'acme-charges', resource: 'charges' as const, stripeKey: 'sealed:v1:abcdef012345:AAAA' };

describe('the budget', () => {
  it('is the account named, the key’s account, or one per key', () => {
    expect(budgetFor('acct_1Named', undefined, 'rk_test_x')).toBe('acct_1Named');
    expect(budgetFor(undefined, 'acct_1Found', 'rk_test_x')).toBe('acct_1Found');
    expect(budgetFor(undefined, undefined, 'rk_test_x')).toBe(keyBudget('rk_test_x'));
    expect(keyBudget('rk_test_x')).toMatch(/^key-[0-9a-f]{16}$/);
    expect(() => budgetFor('acct_1Named', 'acct_1Found', 'rk_test_x')).toThrow(
      '--account acct_1Named: the Stripe key belongs to account acct_1Found',
    );
  });

  it('of an interaction from before budgets is its own', () => {
    expect(budgetOf(base)).toBe('interaction-acme-charges');
  });
});

describe('the fairness key', () => {
  it('is the account in test mode, the account and endpoint in live mode (read from the key’s hint)', () => {
    expect(fairnessKeyOf({ ...base, budget: 'acct_1A', stripeKeyHint: 'rk_test_…abcd' })).toBe('acct_1A');
    expect(fairnessKeyOf({ ...base, budget: 'acct_1A', stripeKeyHint: 'rk_live_…abcd' })).toBe(
      'acct_1A|charges',
    );
    // no hint, no mode: the account-wide key, the safe choice
    expect(fairnessKeyOf({ ...base, budget: 'acct_1A' })).toBe('acct_1A');
  });

  it('stays within Temporal’s 64 bytes', () => {
    const long = fairnessKeyOf({
      ...base,
      resource: 'subscription_schedules',
      budget: `acct_${'x'.repeat(59)}`,
      stripeKeyHint: 'rk_live_…abcd',
    });
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(64);
  });

  it('is dispatched at Stripe’s 25 req/s times the interaction’s rate share (its fairness weight)', () => {
    expect(STRIPE_REQUESTS_PER_SECOND).toBe(25);
    expect(pagePriorityOf({ ...base, budget: 'acct_1A' })).toEqual({
      fairnessKey: 'acct_1A',
      fairnessWeight: 0.95,
    });
    expect(pagePriorityOf({ ...base, budget: 'acct_1A', rateShare: 0.5 }).fairnessWeight).toBe(0.5);
  });
});
