import {
  DEFAULT_LATENCY,
  DEFAULT_RATE_LIMITS,
  type EmulatorConfig,
  type EmulatorOptions,
  type LatencyConfig,
} from './types';

// The runtime-adjustable part of the emulator (PUT /_emulator/config): latency, limits, concurrency.

export function initialConfig(o: EmulatorOptions): EmulatorConfig {
  return {
    latency: { ...DEFAULT_LATENCY, ...o.latency },
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...o.rateLimits },
    concurrencyLimit: o.concurrencyLimit ?? null,
  };
}

export interface ConfigPatch {
  latency?: Partial<LatencyConfig>;
  rateLimits?: Partial<EmulatorConfig['rateLimits']>;
  concurrencyLimit?: number | null;
}

export function applyConfigPatch(c: EmulatorConfig, patch: ConfigPatch): EmulatorConfig {
  return {
    latency: { ...c.latency, ...patch.latency },
    // a new rateLimits object resets the limiter windows, so only make one when limits change
    rateLimits: patch.rateLimits ? { ...c.rateLimits, ...patch.rateLimits } : c.rateLimits,
    concurrencyLimit: patch.concurrencyLimit === undefined ? c.concurrencyLimit : patch.concurrencyLimit,
  };
}

/** base + perObject × objects + uniform jitter in [-jitter, +jitter], never negative. */
export function latencyMs(l: LatencyConfig, objects: number, random: () => number = Math.random): number {
  const jitter = l.jitterMs > 0 ? (random() * 2 - 1) * l.jitterMs : 0;
  return Math.max(0, l.baseMs + l.perObjectMs * objects + jitter);
}
