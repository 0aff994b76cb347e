// Stripe keys must never appear in plaintext in logs, errors or CLI output.
const KEY_IN_TEXT = /\b(sk|rk|pk)_(test|live)_[A-Za-z0-9*]+/g;

/** rk_test_abcdef…wxyz → rk_test_…wxyz (the same shape the Stripe dashboard shows). */
export function maskKey(key: string): string {
  const match = /^((?:sk|rk|pk)_(?:test|live)_)(.*)$/.exec(key);
  if (!match) return '…' + key.slice(-4);
  return `${match[1]}…${match[2].slice(-4)}`;
}

/** Masks every Stripe-key-shaped token in a free text (error messages from Stripe echo the key). */
export function redactSecrets(text: string): string {
  return text.replace(KEY_IN_TEXT, (token) => maskKey(token.replace(/\*+/g, '')));
}
