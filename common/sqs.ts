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
  if (config.sqsEndpoint) {
    return new SQSClient({
      endpoint: config.sqsEndpoint,
      region: config.awsRegion,
      // ElasticMQ ignores credentials; don't make local users configure AWS ones.
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      ...lean,
    });
  }
  return new SQSClient({ region: config.awsRegion, ...lean });
}
