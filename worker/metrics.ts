import type { MetricMeter } from '@temporalio/common';
import type { PageMetrics } from '../activities/fetch-page';

/** Compound's own counters, exported with Temporal's runtime metrics on the worker's Prometheus endpoint. */
export function createPageMetrics(meter: MetricMeter): PageMetrics {
  const objects = meter.createCounter('compound_objects_total', 'objects', 'Stripe objects emitted to SQS');
  const pages = meter.createCounter('compound_pages_total', 'pages', 'Stripe pages fetched and emitted');
  const bytes = meter.createCounter('compound_bytes_total', 'bytes', 'Bytes of SQS message bodies sent');
  const rateLimited = meter.createCounter(
    'compound_stripe_429_total',
    'requests',
    'Stripe requests answered 429',
  );
  const failed = meter.createCounter(
    'compound_page_failures_total',
    'attempts',
    'Page attempts that failed (retried or not), by failure type',
  );
  return {
    failed(resource, type) {
      failed.add(1, { resource, type });
    },
    page(resource, count, size) {
      pages.add(1, { resource });
      objects.add(count, { resource });
      bytes.add(size, { resource });
    },
    rateLimited(resource) {
      rateLimited.add(1, { resource });
    },
  };
}
