import { PAYLOAD_CONVERTER_PATH } from '../../common/data-converter';
import { generateKeySpec } from '../../common/encryption';
import { generateSealingKeyPair } from '../../common/sealed-keys';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startLocalServices } from '../../dev/local-services';

export default async function globalSetup(): Promise<void> {
  const [services, bundle] = await Promise.all([
    startLocalServices(),
    bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      payloadConverterPath: PAYLOAD_CONVERTER_PATH,
      logger: quietLogger,
    }),
  ]);
  // Bundled once for every test worker: webpack per worker would cost seconds each.
  const bundlePath = join(services.dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.COMPOUND_TEST_WORKFLOW_BUNDLE = bundlePath;
  // Test workers are forked after this point and inherit the environment.
  process.env.COMPOUND_TEST_SERVICES = JSON.stringify(services);
  // One codec key for the whole run, so spawned CLIs and workers read each other's payloads.
  process.env.COMPOUND_ENCRYPTION_KEYS ??= generateKeySpec('test1');
  // One sealing key pair too: the CLI seals with the public half, workers open with the private one.
  const sealing = generateSealingKeyPair();
  process.env.COMPOUND_SEALING_PUBLIC_KEY ??= sealing.publicPem;
  process.env.COMPOUND_SEALING_PRIVATE_KEYS ??= sealing.privatePem;
  (globalThis as { __compoundServices?: unknown }).__compoundServices = services;
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
