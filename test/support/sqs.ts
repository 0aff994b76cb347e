import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { sqsClientFor } from '../../dev/services';
import { envelopeJsonOf, type Envelope } from '../../common/envelope';
import { services } from '../services/env';

export function testSqs(): SQSClient {
  return sqsClientFor(services().sqsEndpoint);
}

export async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string> = {},
): Promise<string> {
  const fifo = name.endsWith('.fifo');
  const res = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: { ...attributes, ...(fifo && { FifoQueue: 'true', ContentBasedDeduplication: 'false' }) },
    }),
  );
  return res.QueueUrl!;
}

export const uniqueName = (prefix: string) =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

/** Everything currently in the queue (received and deleted), until a receive comes back empty. */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const res = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 300,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = res.Messages ?? [];
    if (messages.length === 0) return all;
    all.push(...messages);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

export function envelopes(messages: Message[]): Envelope[] {
  return messages.map((m) => JSON.parse(envelopeJsonOf(m)) as Envelope);
}

/** Object ids carried by the messages: all of them (with repeats) and the distinct set. */
export function objectIds(messages: Message[]): { all: string[]; distinct: Set<string> } {
  const all = envelopes(messages).flatMap((e) => e.objects.map((o) => (o as { id: string }).id));
  return { all, distinct: new Set(all) };
}
