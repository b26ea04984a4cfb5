/** Raised when a ciphertext is malformed, tampered with, or opened under the wrong key or AAD. */
export class DecryptionError extends Error {
  readonly code = 'ERR_DECRYPTION';
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}
