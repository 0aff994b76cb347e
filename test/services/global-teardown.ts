import { stopLocalServices, type ServiceAddresses } from '../../dev/local-services';

export default async function globalTeardown(): Promise<void> {
  const services = (globalThis as { __compoundServices?: ServiceAddresses }).__compoundServices;
  if (services) await stopLocalServices(services);
}
