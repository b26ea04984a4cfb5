import { AppError } from '@vectorauth/shared';

/**
 * 409 `stored_data_unreadable`: a stored vector (or the collection it belongs to) does not
 * authenticate under its owner's data key and its address (principal, collection, id, version):
 * tampered with, or copied from another principal or record. Never answered with other data;
 * the owner can overwrite or delete the vector to resolve it.
 */
export class StoredDataUnreadableError extends AppError {
  constructor(message: string) {
    super('stored_data_unreadable', 409, message);
  }
}

/**
 * 503 `data_key_unavailable`: the principal's data key cannot be unwrapped (its master key is
 * not in MASTER_KEY, or the wrapped key does not authenticate). An operator fixes MASTER_KEY;
 * retrying does not help until then, so there is no Retry-After.
 */
export class DataKeyUnavailableError extends AppError {
  constructor(message: string) {
    super('data_key_unavailable', 503, message);
    Object.assign(this, { expose: true });
  }
}
