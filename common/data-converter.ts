import type { DataConverter } from '@temporalio/common';
import type { Env } from './config';
import { createEncryptionCodec, loadKeyring } from './encryption';

/** Bundle workflows with this (`bundleWorkflowCode({ payloadConverterPath })`): it runs in the sandbox. */
export const PAYLOAD_CONVERTER_PATH = require.resolve('./payload-converter');

/**
 * The data converter every Compound client and worker uses: payloads are encrypted before Temporal
 * sees them, and one that cannot be read reaches handlers as a marker instead of failing the task.
 */
export function compoundDataConverter(env: Env = process.env): DataConverter {
  return {
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    payloadCodecs: [createEncryptionCodec(loadKeyring(env))],
  };
}
