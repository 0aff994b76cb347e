import type { SQSClient } from '@aws-sdk/client-sqs';
import { createQueueLimitLookup } from '../../activities/sqs-emitter';

function fakeSqs(attributes: Record<string, string> | Error) {
  let calls = 0;
  const sqs = {
    send: async () => {
      calls += 1;
      if (attributes instanceof Error) throw attributes;
      return { Attributes: attributes };
    },
  } as unknown as SQSClient;
  return { sqs, calls: () => calls };
}

describe('queue message limit', () => {
  it("uses a queue's smaller MaximumMessageSize, once per queue", async () => {
    const { sqs, calls } = fakeSqs({ MaximumMessageSize: '262144' });
    const limitFor = createQueueLimitLookup(sqs, 1048576);
    expect(await limitFor('q1')).toBe(262144);
    expect(await limitFor('q1')).toBe(262144);
    expect(calls()).toBe(1);
  });

  it('never exceeds the configured limit, and falls back to it when the queue does not say', async () => {
    expect(await createQueueLimitLookup(fakeSqs({ MaximumMessageSize: '1048576' }).sqs, 262144)('q')).toBe(
      262144,
    );
    expect(await createQueueLimitLookup(fakeSqs({}).sqs, 1048576)('q')).toBe(1048576);
  });

  it('asks again after a failed lookup', async () => {
    const { sqs, calls } = fakeSqs(new Error('throttled'));
    const limitFor = createQueueLimitLookup(sqs, 1048576);
    await expect(limitFor('q')).rejects.toThrow('throttled');
    await expect(limitFor('q')).rejects.toThrow('throttled');
    expect(calls()).toBe(2);
  });
});
