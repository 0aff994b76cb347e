import type { ServiceAddresses } from '../../dev/local-services';

/** The services started by the global setup, for use inside integration test files. */
export function services(): ServiceAddresses {
  const raw = process.env.COMPOUND_TEST_SERVICES;
  if (!raw) throw new Error('integration tests must run through jest with test/services/global-setup.ts');
  return JSON.parse(raw) as ServiceAddresses;
}
