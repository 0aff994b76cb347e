// Stripe's error bodies, worded as api.stripe.com words them (checked against public reports of real
// responses), so the official client maps them to the same error classes and messages.

export interface StripeErrorBody {
  type: 'invalid_request_error' | 'api_error';
  message: string;
  code?: string;
  param?: string;
  doc_url?: string;
}

/** Thrown inside request handling; the server turns it into the HTTP response. */
export class StripeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

export function errorJson(e: StripeHttpError): string {
  return JSON.stringify({ error: e.body });
}

function withDoc(body: StripeErrorBody): StripeErrorBody {
  return body.code
    ? { ...body, doc_url: `https://stripe.com/docs/error-codes/${body.code.replace(/_/g, '-')}` }
    : body;
}

export function invalidRequest(
  status: number,
  message: string,
  param?: string,
  code?: string,
): StripeHttpError {
  const body: StripeErrorBody = { type: 'invalid_request_error', message };
  if (code) body.code = code;
  if (param) body.param = param;
  return new StripeHttpError(status, withDoc(body));
}

export const STRIPE_DOCS_AUTH =
  'See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.';

export function missingKey(): StripeHttpError {
  return new StripeHttpError(
    401,
    {
      type: 'invalid_request_error',
      message:
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). " +
        STRIPE_DOCS_AUTH,
    },
    { 'WWW-Authenticate': 'Basic realm="Stripe"' },
  );
}

export function emptyKey(headerValue: string): StripeHttpError {
  return new StripeHttpError(
    401,
    {
      type: 'invalid_request_error',
      message:
        `You did not provide an API key, though you did set your Authorization header to "${headerValue}". ` +
        "Using Bearer auth, your Authorization header should look something like 'Authorization: Bearer YOUR_SECRET_KEY'. " +
        STRIPE_DOCS_AUTH,
    },
    { 'WWW-Authenticate': 'Basic realm="Stripe"' },
  );
}

/** sk_test_51Habcd…wxyz → sk_test_*************wxyz: Stripe keeps the prefix and the last 4, one star per hidden character. */
export function maskKeyLikeStripe(key: string): string {
  const prefix = /^(?:sk|rk|pk)_(?:test|live)_/.exec(key)?.[0] ?? '';
  const rest = key.slice(prefix.length);
  if (rest.length <= 4) return prefix + rest;
  return prefix + '*'.repeat(rest.length - 4) + rest.slice(-4);
}

export function invalidKey(key: string): StripeHttpError {
  return new StripeHttpError(
    401,
    { type: 'invalid_request_error', message: `Invalid API Key provided: ${maskKeyLikeStripe(key)}` },
    { 'WWW-Authenticate': 'Basic realm="Stripe"' },
  );
}

/** 403 of a restricted key: Stripe sends type invalid_request_error and no code. */
export function missingPermission(key: string, account: string, permission: string): StripeHttpError {
  return new StripeHttpError(403, {
    type: 'invalid_request_error',
    message:
      `The provided key '${maskKeyLikeStripe(key)}' does not have the required permissions for this endpoint ` +
      `on account '${account}'. Having the '${permission}' permission would allow this request to continue.`,
  });
}

export type RateLimitReason = 'global-rate' | 'endpoint-rate' | 'global-concurrency' | 'endpoint-concurrency';

/**
 * 429 of the limiters. Stripe words the test-mode one differently; both carry code rate_limit and
 * (per docs.stripe.com/rate-limits) a Stripe-Rate-Limited-Reason header, and no Retry-After.
 */
export function rateLimited(mode: 'test' | 'live', reason: RateLimitReason): StripeHttpError {
  const message =
    mode === 'test'
      ? 'Testmode request rate limit exceeded, the rate limits in testmode are lower than livemode. You can learn more about rate limits here https://stripe.com/docs/rate-limits.'
      : 'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.';
  return new StripeHttpError(429, withDoc({ type: 'invalid_request_error', code: 'rate_limit', message }), {
    'Stripe-Rate-Limited-Reason': reason,
  });
}

export function apiError(): StripeHttpError {
  return new StripeHttpError(500, { type: 'api_error', message: 'An unknown error occurred' });
}

export function unrecognizedUrl(method: string, path: string): StripeHttpError {
  return invalidRequest(
    404,
    `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
  );
}

export function noSuch(objectName: string, id: string, param: string, status: number): StripeHttpError {
  return invalidRequest(status, `No such ${objectName}: '${id}'`, param, 'resource_missing');
}
