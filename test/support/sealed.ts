import { createOpener, loadSealingPrivateKeys } from '../../common/sealed-keys';

/** Opens a stored (sealed) Stripe key with the workers' private key, as only a worker may. */
export const openStoredKey = (sealed: string): string => createOpener(loadSealingPrivateKeys())(sealed);
