// Injected failures: what a flaky network or a struggling Stripe looks like to the client.
//   server_error     500 with Stripe's api_error body
//   rate_limit       429 with Stripe's rate_limit body (a burst when given a count)
//   connection_reset the socket is destroyed without a response
//   stall            no response for stallMs (meant to outlast the client's timeout)
//   malformed        200 whose JSON body is cut short
//   not_json         500 with an HTML body, as a misconfigured proxy or URL answers

export type FaultKind =
  'server_error' | 'rate_limit' | 'connection_reset' | 'stall' | 'malformed' | 'not_json';
export const FAULT_KINDS: readonly FaultKind[] = [
  'server_error',
  'rate_limit',
  'connection_reset',
  'stall',
  'malformed',
  'not_json',
];

export interface FaultSpec {
  account?: string;
  /** e.g. charges.list; omitted = every endpoint */
  endpoint?: string;
  kind: FaultKind;
  /** chance per matching request, default 1 */
  probability?: number;
  /** injections before the fault is spent; omitted = unlimited */
  count?: number;
  /** stall only, default 60000 */
  stallMs?: number;
}

export interface Fault extends FaultSpec {
  id: string;
  injected: number;
}

export interface FaultRegistry {
  faults: Fault[];
  nextId: number;
}

export function newFaultRegistry(): FaultRegistry {
  return { faults: [], nextId: 1 };
}

export function addFault(reg: FaultRegistry, spec: FaultSpec): Fault {
  const fault: Fault = { ...spec, id: `fault_${reg.nextId++}`, injected: 0 };
  reg.faults.push(fault);
  return fault;
}

/** The first live fault that matches and fires (consuming one of its count), if any. */
export function pickFault(
  reg: FaultRegistry,
  account: string,
  endpoint: string,
  random: () => number = Math.random,
): Fault | null {
  for (const f of reg.faults) {
    if (f.account !== undefined && f.account !== account) continue;
    if (f.endpoint !== undefined && f.endpoint !== endpoint) continue;
    if (f.count !== undefined && f.injected >= f.count) continue;
    if (random() >= (f.probability ?? 1)) continue;
    f.injected++;
    return f;
  }
  return null;
}
