import pino from 'pino';
import { redactSecrets } from './mask';

// Structured logs; any Stripe-key-shaped text in a message or field is masked before it is written.
export const logger = pino({
  level: process.env.COMPOUND_LOG_LEVEL || 'info',
  hooks: {
    logMethod(args, method) {
      const masked = args.map((a) =>
        typeof a === 'string'
          ? redactSecrets(a)
          : a && typeof a === 'object'
            ? JSON.parse(redactSecrets(JSON.stringify(a)))
            : a,
      );
      return method.apply(this, masked as Parameters<typeof method>);
    },
  },
});
