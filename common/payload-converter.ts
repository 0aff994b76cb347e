import { DefaultPayloadConverter, type Payload, type PayloadConverter } from '@temporalio/common';
import { decode } from '@temporalio/common/lib/encoding';

// Temporal's default payload converter, except that a payload it cannot read becomes a marker value
// instead of an error. Signals and updates arrive from anyone who can reach the namespace; with the
// default converter one undecodable signal argument (bad JSON, an unknown encoding) fails the
// workflow task on every attempt and the workflow is stuck for good. With this one the handler gets
// the marker, and rejects it like any other bad input. Loaded by workers (inside the workflow
// sandbox too) and clients via `payloadConverterPath`.

export interface UndecodablePayload {
  undecodablePayload: { encoding: string; bytes: number; reason: string };
}

const standard = new DefaultPayloadConverter();

export const payloadConverter: PayloadConverter = {
  toPayload: (value) => standard.toPayload(value),
  fromPayload<T>(payload: Payload): T {
    try {
      return standard.fromPayload<T>(payload);
    } catch (err) {
      const marker: UndecodablePayload = {
        undecodablePayload: {
          encoding: payload.metadata?.encoding ? decode(payload.metadata.encoding).slice(0, 40) : '(none)',
          bytes: payload.data?.length ?? 0,
          reason: (err instanceof Error ? err.message : String(err)).slice(0, 200),
        },
      };
      return marker as T;
    }
  },
};
