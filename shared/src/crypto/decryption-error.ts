/**
 * Raised when a ciphertext does not open: malformed, tampered with, or opened under the wrong key
 * or AAD (`ERR_DECRYPTION`), or wrapped by a master key the keyring does not hold
 * (`ERR_UNKNOWN_MASTER_KEY`, the subclass `UnknownMasterKeyError`).
 */
export class DecryptionError extends Error {
  readonly code: 'ERR_DECRYPTION' | 'ERR_UNKNOWN_MASTER_KEY' = 'ERR_DECRYPTION';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The secret is wrapped by a master key that is not in MASTER_KEY (`keyId` names it). */
export class UnknownMasterKeyError extends DecryptionError {
  override readonly code = 'ERR_UNKNOWN_MASTER_KEY';
  readonly keyId: string;
  constructor(keyId: string) {
    super(`master key ${keyId} is not configured`);
    this.keyId = keyId;
  }
}
