import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import Stripe from 'stripe';
import { createStripeClient } from '../stripe/client';

/**
 * What a user would write by hand: the official client's autoPagingEach over one list, sending each
 * page of 100 to SQS as it fills. Sequential, so its speed is one page per Stripe round trip.
 */
export async function runBaseline(o: {
  stripeKey: string;
  apiBase: string;
  sqs: SQSClient;
  queueUrl: string;
  limit: number;
}) {
  const stripe: Stripe = createStripeClient({ stripeKey: o.stripeKey, apiBase: o.apiBase, timeoutMs: 30000 });
  let page: unknown[] = [];
  let objects = 0;
  const started = Date.now();
  const flush = async () => {
    if (page.length === 0) return;
    await o.sqs.send(new SendMessageCommand({ QueueUrl: o.queueUrl, MessageBody: JSON.stringify(page) }));
    page = [];
  };
  await stripe.charges.list({ limit: 100 }).autoPagingEach(async (charge) => {
    page.push(charge);
    objects += 1;
    if (page.length === 100) await flush();
    return objects < o.limit;
  });
  await flush();
  const seconds = (Date.now() - started) / 1000;
  return { objects, seconds, objectsPerSecond: objects / seconds };
}
