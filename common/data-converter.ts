import type { DataConverter } from '@temporalio/common';
import type { Env } from './config';
import { createEncryptionCodec, loadKeyring } from './encryption';

/** The data converter every Compound client and worker uses: payloads are encrypted before Temporal sees them. */
export function compoundDataConverter(env: Env = process.env): DataConverter {
  return { payloadCodecs: [createEncryptionCodec(loadKeyring(env))] };
}
