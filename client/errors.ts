import { redactSecrets } from '../common/mask';

/** Bad input from the user: exit code 2, nothing was changed. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function exitCodeFor(err: unknown): number {
  return err instanceof UsageError ? 2 : 1;
}

export function printError(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`compound: ${redactSecrets(message)}`);
}
