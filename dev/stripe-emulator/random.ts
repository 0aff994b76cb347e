// Deterministic randomness: every generated id and field derives from the account seed, so the
// same seed gives the same objects and ids on every run and machine.

export type Rng = () => number;

// Globals are read once into module constants: under jest the emulator runs inside a vm context
// whose global lookups cost ~0.4 µs each, which made generation and rendering 50x slower there.
const { imul, floor } = Math;
const fromCharCode = String.fromCharCode;

/** mulberry32: tiny, fast, good enough for test data. Returns uint32. */
export function rng32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Float in [0, 1). */
export function unit(rng: Rng): number {
  return rng() / 4294967296;
}

/** Integer in [min, max]. */
export function between(rng: Rng, min: number, max: number): number {
  return min + floor(unit(rng) * (max - min + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng() % items.length];
}

/** Mixes numbers into one uint32 (murmur3 finaliser per step). */
export function mix(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h ^= p >>> 0;
    h = imul(h ^ (h >>> 16), 0x85ebca6b);
    h = imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** FNV-1a of a string, for seeding from ids. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = imul(h, 0x01000193);
  }
  return h >>> 0;
}

// Digits then upper then lower case: the same order as ASCII, so comparing ids as strings matches
// comparing them as base62 numbers (the tie order of lists relies on plain string comparison).
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const FIVE_DIGITS = 62 ** 5;

const CODES = Array.from(BASE62, (c) => c.charCodeAt(0));
const scratch: number[] = [];

export function base62(rng: Rng, length: number): string {
  scratch.length = length;
  for (let n = 0; n < length;) {
    // five base62 digits per draw (62^5 < 2^32); the slight modulo bias is irrelevant here
    let x = rng() % FIVE_DIGITS;
    for (let i = 0; i < 5 && n < length; i++) {
      scratch[n++] = CODES[x % 62];
      x = floor(x / 62);
    }
  }
  // one flat string: `out += c` would leave a rope of `length` nodes per id (~10x the memory)
  return fromCharCode(...scratch);
}

/** n as `width` base62 digits, most significant first (so string order = numeric order). */
export function base62Fixed(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = BASE62[n % 62] + out;
    n = floor(n / 62);
  }
  return out;
}

/** Stripe-like id: prefix + 24 base62 characters. */
export function stripeId(prefix: string, rng: Rng): string {
  return prefix + base62(rng, 24);
}
