import { SQSClient } from '@aws-sdk/client-sqs';
import type { CompoundConfig } from './config';

/** AWS SQS through the default credential chain, or a local SQS-compatible endpoint (ElasticMQ). */
export function sqsClient(config: Pick<CompoundConfig, 'sqsEndpoint' | 'awsRegion'>): SQSClient {
  if (config.sqsEndpoint) {
    return new SQSClient({
      endpoint: config.sqsEndpoint,
      region: config.awsRegion,
      // ElasticMQ ignores credentials; don't make local users configure AWS ones.
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }
  return new SQSClient({ region: config.awsRegion });
}
