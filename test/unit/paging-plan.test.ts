import { STRIPE_EPOCH } from '../../common/slices';
import { pagesForTask, PAGES_PER_TASK, planLaunches, splitBudgetLeft } from '../../workflows/paging-plan';
import { newPagingState, type PagingPlan } from '../../workflows/paging-state';
import { createdTimes, simulatePaging } from '../support/simulated-paging';

// The paging engine's decisions against simulated accounts (see test/support/simulated-paging.ts):
// what a run costs in Stripe requests, whatever the account's size and age.

const NOW = 1_796_400_000;
const DAY = 86_400;
const range = { gte: STRIPE_EPOCH, lt: NOW + 1 };
const allowed = (objects: number) => 1.1 * Math.ceil(objects / 100) + 2;

describe('requests per run (plans "budgeted", "balanced", "confirmed" and "balanced-at-limit")', () => {
  const accounts: [number, number, PagingPlan][] = [];
  for (const plan of ['budgeted', 'balanced', 'confirmed', 'balanced-at-limit'] as const)
    for (const objects of [2_500, 20_000, 270_000])
      for (const days of [7, 30, 730, 1_825, 6_000]) accounts.push([objects, days, plan]);

  it.each(accounts)(
    '%i objects created over the last %i days (%s): every object once, within 1.1 × ideal + 2 requests',
    (objects, days, plan) => {
      const created = createdTimes(objects, NOW - days * DAY, NOW, objects + days);
      const run = simulatePaging(newPagingState(range, 32, plan), created);
      expect(run.distinct).toBe(objects);
      expect(run.objects).toBe(objects);
      expect(run.requests).toBeLessThanOrEqual(allowed(objects));
    },
  );

  it('runs started before the budget (doubling initial slices) cost more, which is why it exists', () => {
    const created = createdTimes(2_500, NOW - 730 * DAY, NOW, 3);
    const legacy = simulatePaging(newPagingState(range, 32), created);
    const budgeted = simulatePaging(newPagingState(range, 32, 'budgeted'), created);
    expect(legacy.requests).toBeGreaterThan(allowed(2_500));
    expect(budgeted.requests).toBeLessThan(legacy.requests);
  });

  it('a large account still reaches 16 pages in flight within a few page times', () => {
    const created = createdTimes(270_000, NOW - 730 * DAY, NOW, 5);
    const run = simulatePaging(newPagingState(range, 32, 'budgeted'), created);
    const reached = run.inFlightAfterLaunch.find(([, pages]) => pages >= 16);
    // Pages take 0.45–0.85 simulated seconds: about four rounds of pages.
    expect(reached?.[0]).toBeLessThan(3);
  });

  it('"balanced" splits the slice far behind the others at the tail: the same requests, a shorter run', () => {
    for (const [objects, seed] of [
      [30_000, 3],
      [200_000, 4],
    ]) {
      const created = createdTimes(objects, NOW - 730 * DAY, NOW, seed);
      // At the account's rate, pages queue and the backlog they report steers the plan.
      const at = { ratePerSecond: 23.75 };
      const budgeted = simulatePaging(newPagingState(range, 32, 'budgeted'), created, at);
      const balanced = simulatePaging(newPagingState(range, 32, 'balanced'), created, at);
      expect(balanced.distinct).toBe(objects);
      expect(balanced.requests).toBeLessThanOrEqual(allowed(objects));
      expect(balanced.seconds).toBeLessThan(budgeted.seconds - 1.5);
    }
  });

  it('"confirmed": pages that come back together do not spend the budget on guesses (each an empty page)', () => {
    // The many-tenant benchmark's case: a busy worker hands one workflow task three pages at once, the
    // limiter is not idle, and the lowest slice reaches years below the account's oldest object.
    const under = { returnedTogether: 3, backlogMs: 50 };
    let balancedOver = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const created = createdTimes(2_500, NOW - 730 * DAY, NOW, seed);
      const confirmed = simulatePaging(newPagingState(range, 32, 'confirmed'), created, under);
      expect(confirmed.distinct).toBe(2_500);
      expect(confirmed.requests).toBeLessThanOrEqual(allowed(2_500));
      const balanced = simulatePaging(newPagingState(range, 32, 'balanced'), created, under);
      if (balanced.requests > allowed(2_500)) balancedOver += 1;
    }
    expect(balancedOver).toBeGreaterThan(0);
  });

  it('"confirmed" still ramps a large account up as fast', () => {
    const created = createdTimes(270_000, NOW - 730 * DAY, NOW, 5);
    const run = simulatePaging(newPagingState(range, 32, 'confirmed'), created);
    const reached = run.inFlightAfterLaunch.find(([, pages]) => pages >= 16);
    expect(reached?.[0]).toBeLessThan(3);
    expect(run.requests).toBeLessThanOrEqual(allowed(270_000));
  });

  it('four workers, each pacing a quarter of the rate: the backlog counted in the account’s slots keeps the account busy', () => {
    // Measured in a worker's own slots, one page ahead (~170 ms at a quarter of 23.75 req/s) reads as
    // "at the limit" and the run stops splitting with ~20 pages in flight, while a random other worker
    // idles: 0.76–0.78 of the rate in this simulation. Counted in the account's slots, ~29 stay in flight.
    for (const seed of [1, 2, 3]) {
      const created = createdTimes(200_000, NOW - 730 * DAY, NOW, seed);
      const run = simulatePaging(newPagingState(range, 32, 'confirmed'), created, {
        ratePerSecond: 23.75,
        workers: 4,
      });
      expect(run.distinct).toBe(200_000);
      expect(run.requests).toBeLessThanOrEqual(allowed(200_000));
      expect(2_000 / 23.75 / run.seconds).toBeGreaterThan(0.82);
    }
  });

  it('"balanced-at-limit" splits the slice far behind the others while the account is at its limit', () => {
    // Four slices: one with ~40 pages left and no page in flight, three near their end with one each.
    // The limiter reports 150 ms of backlog: the account is at its limit.
    const plannedWith = (plan: PagingPlan) => {
      const state = newPagingState(range, 32, plan);
      const slice = (id: number, gte: number, walked: number) => ({
        id,
        gte,
        lt: NOW,
        cursor: `ch_${id}`,
        cursorCreated: NOW - walked,
        pages: 1,
        objects: 100,
        done: false,
      });
      // 100 objects a page, one every 10 s: 400,000 s left is ~40 pages; 20,000 s is ~2.
      state.slices = [
        slice(0, NOW - 401_000, 1_000),
        slice(1, NOW - 21_000, 1_000),
        slice(2, NOW - 21_000, 1_000),
        slice(3, NOW - 21_000, 1_000),
      ];
      state.nextSliceId = 4;
      state.totals.pages = 4;
      state.lowestSeen = NOW - 401_000;
      const launched = planLaunches(state, {
        inFlight: new Set([1, 2, 3]),
        free: 29,
        backlogMs: 150,
        returned: 1,
      });
      return { launched: launched.map((s) => s.id), slices: state.slices.length };
    };
    expect(plannedWith('confirmed')).toEqual({ launched: [0], slices: 4 });
    // Split at the middle of what it has left: two slices of ~20 pages, both launched.
    expect(plannedWith('balanced-at-limit')).toEqual({ launched: [0, 4], slices: 5 });
  });

  it('"balanced-at-limit": the same budget, shorter runs, with one worker or four', () => {
    // Four accounts of each kind; runs differ by seed, so the assertion is on their total time.
    for (const [objects, workers, shorterBy] of [
      [30_000, 1, 0.05],
      [200_000, 1, 0.02],
      [200_000, 4, 0.02],
    ]) {
      let confirmedSeconds = 0;
      let atLimitSeconds = 0;
      for (let seed = 1; seed <= 4; seed++) {
        const created = createdTimes(objects, NOW - 730 * DAY, NOW, seed);
        const at = { ratePerSecond: 23.75, workers };
        const confirmed = simulatePaging(newPagingState(range, 32, 'confirmed'), created, at);
        const atLimit = simulatePaging(newPagingState(range, 32, 'balanced-at-limit'), created, at);
        expect(atLimit.distinct).toBe(objects);
        expect(atLimit.requests).toBeLessThanOrEqual(allowed(objects));
        confirmedSeconds += confirmed.seconds;
        atLimitSeconds += atLimit.seconds;
      }
      expect(atLimitSeconds).toBeLessThan((1 - shorterBy) * confirmedSeconds);
    }
  });

  it('starts with one page in flight, so runs firing in the same minute do not each start 32', () => {
    const state = newPagingState(range, 32, 'budgeted');
    const launched = planLaunches(state, { inFlight: new Set(), free: 32, backlogMs: 0, returned: 0 });
    expect(launched).toHaveLength(1);
    expect(splitBudgetLeft(state)).toBe(1);
  });
});

describe('pages per fetchPage task', () => {
  const walking = { id: 0, gte: 0, lt: 100, pages: 3, objects: 300, done: false, cursor: 'ch_3' };
  const fresh = { id: 1, gte: 0, lt: 100, pages: 0, objects: 0, done: false };
  /** A run of `pages` fetched pages that has made `splits` splits. */
  const run = (pages: number, splits: number, pagesPerTask = PAGES_PER_TASK) => {
    const state = newPagingState(range, 32, 'confirmed', pagesPerTask);
    state.totals.pages = pages;
    state.nextSliceId = 1 + splits;
    return state;
  };

  it('a small run, or one whose split budget is spent, fetches a slice’s later pages several to a task', () => {
    expect(splitBudgetLeft(run(20, 0))).toBeGreaterThan(0);
    expect(pagesForTask(run(20, 0), walking, 0)).toBe(PAGES_PER_TASK);
    expect(splitBudgetLeft(run(100, 12))).toBeLessThanOrEqual(0);
    expect(pagesForTask(run(100, 12), walking, 3)).toBe(PAGES_PER_TASK);
  });

  it('one page a task: a larger run that may still split, a slice’s first page, 4+ pages in flight, a run recorded before', () => {
    expect(splitBudgetLeft(run(100, 2))).toBeGreaterThan(0);
    expect(pagesForTask(run(100, 2), walking, 0)).toBe(1);
    expect(pagesForTask(run(20, 0), fresh, 0)).toBe(1);
    expect(pagesForTask(run(20, 0), walking, 4)).toBe(1);
    expect(pagesForTask(run(20, 0, 1), walking, 0)).toBe(1);
  });
});
