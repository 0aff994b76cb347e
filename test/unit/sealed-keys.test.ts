import { createPrivateKey, createPublicKey } from 'node:crypto';
import { createOpener, generateSealingKeyPair, isSealed, keyId, seal } from '../../common/sealed-keys';
import { interactionSchema } from '../../common/interaction';

const KEY = 'rk_test_51SZabcdefghijklmnopqrstuvwxyz0123456789';
const pairs = [generateSealingKeyPair(), generateSealingKeyPair()];
const pub = (i: number) => createPublicKey(pairs[i].publicPem);
const priv = (i: number) => createPrivateKey(pairs[i].privatePem);

it('seals with the public key; only the matching private key opens it', () => {
  const sealed = seal(KEY, pub(0));
  expect(isSealed(sealed)).toBe(true);
  expect(sealed).not.toContain(KEY.slice(8));
  expect(sealed.split(':')[2]).toBe(keyId(pub(0)));
  expect(createOpener([priv(0)])(sealed)).toBe(KEY);
  expect(() => createOpener([priv(1)])(sealed)).toThrow(
    new RegExp(`sealed with sealing key ${keyId(pub(0))}, which this worker does not hold`),
  );
});

it('a worker holding old and new private keys opens both during a rotation', () => {
  const open = createOpener([priv(1), priv(0)]);
  expect(open(seal(KEY, pub(0)))).toBe(KEY);
  expect(open(seal(KEY, pub(1)))).toBe(KEY);
});

it('a stored interaction may hold the sealed key; anything else is refused', () => {
  const base = { id: 'a', name: 'a', resource: 'charges', frequency: 'daily', queueUrl: 'http://q/1/q' };
  expect(interactionSchema.safeParse({ ...base, stripeKey: seal(KEY, pub(0)) }).success).toBe(true);
  expect(interactionSchema.safeParse({ ...base, stripeKey: 'sealed:v1:zz:abc' }).success).toBe(false);
});
