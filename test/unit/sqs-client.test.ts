import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '../../common/sqs';

// The client sends request bodies as bytes (encoded once for signing and sending): what goes on the wire
// must still be the whole JSON request, its length header in bytes, multi-byte characters intact.
describe('SQS client', () => {
  it('sends the request body as UTF-8 bytes with a matching Content-Length', async () => {
    const sqs = sqsClient({ sqsEndpoint: 'http://sqs.test:9324', awsRegion: 'us-east-1' });
    const sent: { body: unknown; headers: Record<string, string> }[] = [];
    sqs.middlewareStack.add(
      () => (args) => {
        const request = args.request as { body: unknown; headers: Record<string, string> };
        sent.push({ body: request.body, headers: request.headers });
        // Stop before the network: the request as the handler would write it is what is checked.
        return Promise.reject(new Error('captured'));
      },
      { step: 'finalizeRequest', priority: 'low', name: 'capture' },
    );
    const text = '{"objects":[{"name":"Zoë Ødegård 東京 💳"}]}';
    await expect(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: 'http://sqs.test:9324/000000000000/q',
          Entries: [{ Id: '0', MessageBody: text }],
        }),
      ),
    ).rejects.toThrow('captured');
    const [{ body, headers }] = sent;
    expect(Buffer.isBuffer(body)).toBe(true);
    const bytes = body as Buffer;
    expect(Number(headers['content-length'])).toBe(bytes.length);
    expect(JSON.parse(bytes.toString('utf8')).Entries[0].MessageBody).toBe(text);
  });
});
