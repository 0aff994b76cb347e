import { Agent, request } from 'node:http';
import Stripe from 'stripe';
import type { RunningEmulator } from '../../dev/stripe-emulator';

/** The official client pointed at the emulator, as the project's own code does it. */
export function stripeFor(
  emu: RunningEmulator,
  key: string,
  extra: Partial<Stripe.StripeConfig> = {},
): Stripe {
  return new Stripe(key, {
    host: '127.0.0.1',
    port: emu.port,
    protocol: 'http',
    maxNetworkRetries: 0,
    telemetry: false,
    ...extra,
  });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A bare HTTP GET (for what stripe-node cannot send, e.g. no key, and for tight load loops). */
export function rawGet(
  url: string,
  headers: Record<string, string> = {},
  agent?: Agent,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

/** Resolves with the error a promise rejects with (fails the test if it resolves). */
export async function caught(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await p;
  } catch (e) {
    return e as Stripe.errors.StripeError;
  }
  throw new Error('expected the call to fail');
}
