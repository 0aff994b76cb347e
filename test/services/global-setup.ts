import { startLocalServices } from './local-services';

export default async function globalSetup(): Promise<void> {
  const services = await startLocalServices();
  // Test workers are forked after this point and inherit the environment.
  process.env.COMPOUND_TEST_SERVICES = JSON.stringify(services);
  (globalThis as { __compoundServices?: unknown }).__compoundServices = services;
}
