import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { CompoundConfig } from '../common/config';
import { redactSecrets } from '../common/mask';
import { sqsClient } from '../common/sqs';
import { UsageError } from './errors';

/**
 * Checked at the door (create, and update of the queue URL): the queue must exist and be reachable
 * with this process's credentials, or the first sync would fail hours later. Exit code 2, nothing
 * created or changed.
 */
export async function checkQueue(
  queueUrl: string,
  config: Pick<CompoundConfig, 'sqsEndpoint' | 'awsRegion'>,
): Promise<void> {
  const sqs = sqsClient(config);
  try {
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  } catch (err) {
    const name = (err as Error).name;
    const message = redactSecrets((err as Error).message);
    if (/NonExistentQueue|QueueDoesNotExist/.test(name) || /does not exist/i.test(message))
      throw new UsageError(
        `the SQS queue ${queueUrl} does not exist: create it, or pass the URL of an existing queue with --queue-url`,
      );
    if (
      /AccessDenied|Forbidden|InvalidClientTokenId|UnrecognizedClient|Credentials/i.test(`${name} ${message}`)
    )
      throw new UsageError(
        `cannot use the SQS queue ${queueUrl} with these AWS credentials (${message}): grant sqs:GetQueueAttributes and sqs:SendMessage on it`,
      );
    throw new UsageError(
      `cannot reach the SQS queue ${queueUrl}${config.sqsEndpoint ? ` through ${config.sqsEndpoint}` : ''}: ${message}`,
    );
  } finally {
    sqs.destroy();
  }
}
