import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  CONTENT_ENCODING_ATTRIBUTE,
  envelopeJsonOf,
  type Change,
  type ChangesEnvelope,
  type Envelope,
} from '../common/envelope';

/** A stand-in for the extraction stage: drains the queue, counting object ids (and keeping change messages' changes). */
export function startConsumer(sqs: SQSClient, queueUrl: string, loops = 4) {
  const seen = new Map<string, Set<string>>();
  const changes: Change[] = [];
  let received = 0;
  let stopped = false;
  let lastMessageAt = Date.now();

  async function loop(): Promise<void> {
    while (!stopped) {
      const res = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 120,
          MessageAttributeNames: [CONTENT_ENCODING_ATTRIBUTE],
        }),
      );
      const messages = res.Messages ?? [];
      if (messages.length === 0) continue;
      lastMessageAt = Date.now();
      for (const m of messages) {
        const envelope = JSON.parse(envelopeJsonOf(m)) as Envelope | ChangesEnvelope;
        if (envelope.content === 'changes') {
          changes.push(...envelope.changes);
          received += envelope.changes.length;
          continue;
        }
        const ids = seen.get(envelope.interaction.resource) ?? new Set<string>();
        seen.set(envelope.interaction.resource, ids);
        for (const o of envelope.objects as { id: string }[]) {
          received += 1;
          ids.add(o.id);
        }
      }
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  }
  const running = Promise.all(Array.from({ length: loops }, loop));
  return {
    seen,
    changes,
    received: () => received,
    idleMs: () => Date.now() - lastMessageAt,
    async stop() {
      stopped = true;
      await running;
    },
  };
}
