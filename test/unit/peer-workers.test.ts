import { msNumberToTs } from '@temporalio/common/lib/time';
import { countLiveWorkers, workerPartOf } from '../../worker/peer-workers';

// How many workers share an account's rate, from the pollers Temporal reports, and each one's part.

const NOW = Date.UTC(2026, 0, 1);
const seen = (identity: string, secondsAgo: number) => ({
  identity,
  lastAccessTime: msNumberToTs(NOW - secondsAgo * 1000),
});

it('counts distinct recent pollers, and this worker even before it polls', () => {
  expect(countLiveWorkers([seen('1@a', 1), seen('2@a', 30), seen('1@a', 2)], NOW)).toBe(2);
  // A worker gone for minutes no longer counts.
  expect(countLiveWorkers([seen('1@a', 1), seen('9@b', 600)], NOW)).toBe(1);
  expect(countLiveWorkers([seen('1@a', 1)], NOW, '2@a')).toBe(2);
  expect(countLiveWorkers([seen('1@a', 1)], NOW, '1@a')).toBe(1);
  expect(countLiveWorkers([], NOW)).toBe(1);
});

it('each worker paces an even part, so N workers together stay under 25 in any second', () => {
  expect(workerPartOf(0.95, 1)).toBe(0.95);
  expect(workerPartOf(0.95, 4)).toBeCloseTo(0.2375);
  for (const workers of [1, 2, 3, 4, 5, 6]) {
    const perSecond = 25 * workerPartOf(0.95, workers);
    // Evenly spaced requests: at most floor(rate) + 1 in any one-second window.
    const worstWindow = workers * (Math.floor(perSecond) + 1);
    expect(worstWindow).toBeLessThanOrEqual(25);
  }
});
