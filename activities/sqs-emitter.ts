import {
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SQSClient,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import { CONTENT_ENCODING_ATTRIBUTE, type OutgoingMessage } from '../common/envelope';

// SendMessageBatch takes at most 10 entries and 1 MiB in all; an entry can fail while the call succeeds.
export const MAX_BATCH_ENTRIES = 10;
export const MAX_BATCH_BYTES = 1024 * 1024;
const ENTRY_ATTEMPTS = 5;

export function batchesOf(messages: OutgoingMessage[], maxBytes = MAX_BATCH_BYTES): OutgoingMessage[][] {
  const batches: OutgoingMessage[][] = [];
  let batch: OutgoingMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = m.bytes + 512; // attributes
    if (batch.length === MAX_BATCH_ENTRIES || (batch.length > 0 && bytes + size > maxBytes)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(m);
    bytes += size;
  }
  if (batch.length) batches.push(batch);
  return batches;
}

export interface SendOptions {
  queueUrl: string;
  /** FIFO queues: every message of an interaction in one group, in order. */
  messageGroupId: string;
  interactionId: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function sendMessages(
  sqs: SQSClient,
  messages: OutgoingMessage[],
  o: SendOptions,
): Promise<void> {
  const fifo = o.queueUrl.endsWith('.fifo');
  for (const batch of batchesOf(messages)) {
    let pending: SendMessageBatchRequestEntry[] = batch.map((m, i) => ({
      Id: String(i),
      MessageBody: m.body,
      MessageAttributes: {
        'compound-dedup-id': { DataType: 'String', StringValue: m.dedupId },
        'compound-interaction': { DataType: 'String', StringValue: o.interactionId },
        ...(m.encoding && { [CONTENT_ENCODING_ATTRIBUTE]: { DataType: 'String', StringValue: m.encoding } }),
      },
      ...(fifo && { MessageGroupId: o.messageGroupId, MessageDeduplicationId: m.dedupId }),
    }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      const res = await sqs.send(new SendMessageBatchCommand({ QueueUrl: o.queueUrl, Entries: pending }));
      const failed = res.Failed ?? [];
      if (failed.length === 0) break;
      const senderFault = failed.find((f) => f.SenderFault);
      if (senderFault || attempt >= ENTRY_ATTEMPTS) {
        const f = senderFault ?? failed[0];
        throw new Error(
          `SQS refused ${failed.length} message(s) for ${o.queueUrl}: ${f.Code}: ${f.Message ?? ''}`,
        );
      }
      const failedIds = new Set(failed.map((f) => f.Id));
      pending = pending.filter((e) => failedIds.has(e.Id));
      await sleep(100 * 2 ** attempt);
    }
  }
}

/**
 * The largest message a queue takes: the queue's own MaximumMessageSize (some are still 256 KiB) capped by
 * the configured limit. Looked up once per queue and process.
 */
export function createQueueLimitLookup(sqs: SQSClient, configuredMax: number) {
  const limits = new Map<string, Promise<number>>();
  return (queueUrl: string): Promise<number> => {
    let limit = limits.get(queueUrl);
    if (!limit) {
      limit = sqs
        .send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['MaximumMessageSize'] }))
        .then((res) => {
          const queueMax = Number(res.Attributes?.MaximumMessageSize);
          return Number.isFinite(queueMax) && queueMax > 0
            ? Math.min(queueMax, configuredMax)
            : configuredMax;
        });
      limit.catch(() => limits.delete(queueUrl)); // retry the lookup next time
      limits.set(queueUrl, limit);
    }
    return limit;
  };
}
