import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, type StartedProcess } from './processes';
import {
  startElasticMq,
  startEmulatorProcess,
  startStripeMock,
  startTemporal,
  stopAll,
  waitForElasticMq,
  waitForHttp,
  waitForTemporal,
} from './services';

/** Addresses of a throwaway set of services (integration tests, the benchmark). */
export interface ServiceAddresses {
  temporalAddress: string;
  temporalUiUrl: string;
  sqsEndpoint: string;
  emulatorUrl: string;
  stripeMockUrl: string;
  dir: string;
  processes: StartedProcess[];
}

export interface LocalServicesOptions {
  /** Extra command-line options for the Stripe emulator (latency, limits). */
  emulatorArgs?: string[];
  /** Heap for ElasticMQ (the benchmark holds more in flight than tests). */
  elasticMqHeap?: string;
}

/** Starts every service on free ports with a throwaway data directory; stopLocalServices() removes it. */
export async function startLocalServices(o: LocalServicesOptions = {}): Promise<ServiceAddresses> {
  const dir = mkdtempSync(join(tmpdir(), 'compound-test-'));
  const [temporalPort, uiPort, sqsPort, emulatorPort, stripeMockPort, stripeMockHttpsPort] =
    await freePorts(6);
  const processes: StartedProcess[] = [];
  const log = (name: string) => join(dir, `${name}.log`);
  try {
    processes.push(
      startTemporal({
        port: temporalPort,
        uiPort,
        dbFile: join(dir, 'temporal.db'),
        logFile: log('temporal'),
      }),
    );
    processes.push(startElasticMq(sqsPort, dir, log('elasticmq'), o.elasticMqHeap));
    processes.push(
      startEmulatorProcess({ port: emulatorPort, logFile: log('emulator'), extraArgs: o.emulatorArgs }),
    );
    processes.push(startStripeMock(stripeMockPort, stripeMockHttpsPort, log('stripe-mock')));
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
      waitForHttp('stripe-mock', `${addresses.stripeMockUrl}/v1/charges`, log('stripe-mock'), 90000),
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
