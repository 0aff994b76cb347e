import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type StartedProcess } from '../../dev/processes';
import {
  startElasticMq,
  startEmulatorProcess,
  startStripeMock,
  startTemporal,
  stopAll,
  waitForElasticMq,
  waitForHttp,
  waitForTemporal,
} from '../../dev/services';

/** Addresses of the services the integration tests run against (passed to test files via the env). */
export interface ServiceAddresses {
  temporalAddress: string;
  temporalUiUrl: string;
  sqsEndpoint: string;
  emulatorUrl: string;
  stripeMockUrl: string;
  dir: string;
  processes: StartedProcess[];
}

/** Starts every service on free ports with a throwaway data directory. */
export async function startLocalServices(): Promise<ServiceAddresses> {
  const dir = mkdtempSync(join(tmpdir(), 'compound-test-'));
  const [temporalPort, uiPort, sqsPort, emulatorPort, stripeMockPort] = await Promise.all(
    Array.from({ length: 5 }, () => freePort()),
  );
  const processes: StartedProcess[] = [];
  const log = (name: string) => join(dir, `${name}.log`);
  try {
    processes.push(startTemporal({ port: temporalPort, uiPort, dbFile: join(dir, 'temporal.db'), logFile: log('temporal') }));
    processes.push(startElasticMq(sqsPort, dir, log('elasticmq')));
    processes.push(startEmulatorProcess({ port: emulatorPort, logFile: log('emulator') }));
    processes.push(startStripeMock(stripeMockPort, log('stripe-mock')));
    const addresses: ServiceAddresses = {
      temporalAddress: `127.0.0.1:${temporalPort}`,
      temporalUiUrl: `http://127.0.0.1:${uiPort}`,
      sqsEndpoint: `http://127.0.0.1:${sqsPort}`,
      emulatorUrl: `http://127.0.0.1:${emulatorPort}`,
      stripeMockUrl: `http://127.0.0.1:${stripeMockPort}`,
      dir,
      processes,
    };
    await Promise.all([
      waitForTemporal(addresses.temporalAddress, log('temporal'), 90000),
      waitForElasticMq(addresses.sqsEndpoint, log('elasticmq'), 90000),
      waitForHttp('Stripe emulator', `${addresses.emulatorUrl}/_emulator/health`, log('emulator'), 60000),
      waitForHttp('stripe-mock', `${addresses.stripeMockUrl}/v1/charges`, log('stripe-mock'), 30000),
    ]);
    return addresses;
  } catch (err) {
    await stopAll(processes);
    throw err;
  }
}

export async function stopLocalServices(addresses: ServiceAddresses): Promise<void> {
  await stopAll(addresses.processes);
  rmSync(addresses.dir, { recursive: true, force: true });
}
