import { errorTypeRegistries, SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { AwsJson1_0Protocol, JsonCodec } from '@aws-sdk/core/protocols';
import type { CompoundConfig } from './config';

/**
 * What a page costs to send (profiled, `npm run bench`): the client's MD5 check of every sent body is off
 * (it hashed ~150 kB per page for what TLS already checks), and requests are written with the SDK's
 * JSON.stringify codec: its default one escapes each message body one character at a time in
 * JavaScript, ~1.3 ms of CPU per page.
 */
const lean: Partial<SQSClientConfig> = {
  md5: false,
  protocol: AwsJson1_0Protocol,
  protocolSettings: {
    // As the client's own defaults (its errors keep their types: QueueDoesNotExist…), the codec aside.
    defaultNamespace: 'com.amazonaws.sqs',
    errorTypeRegistries,
    version: '2012-11-05',
    serviceTarget: 'AmazonSQS',
    awsQueryCompatible: true,
    jsonCodec: new JsonCodec({ timestampFormat: { useTrait: true, default: 7 }, jsonName: false }),
  },
};

export function sqsClient(config: Pick<CompoundConfig, 'sqsEndpoint' | 'awsRegion'>): SQSClient {
  const client = config.sqsEndpoint
    ? new SQSClient({
        endpoint: config.sqsEndpoint,
        region: config.awsRegion,
        // ElasticMQ ignores credentials; don't make local users configure AWS ones.
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        ...lean,
      })
    : new SQSClient({ region: config.awsRegion, ...lean });
  // A request body left as text is encoded to UTF-8 twice, once to sign it and once to send it (~200 kB
  // a page of plain JSON messages): encoded once here, both use the bytes.
  client.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { body?: unknown };
      if (typeof request.body === 'string') request.body = Buffer.from(request.body);
      return next(args);
    },
    { step: 'build', priority: 'high', name: 'compoundBodyAsBytes' },
  );
  return client;
}
