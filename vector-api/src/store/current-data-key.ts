import type { EntityManager } from '@mikro-orm/postgresql';
import type { Encryption } from './encryption.ts';
import type { DataKey } from './record-codec.ts';

/** The principal's current data key read through `em`; null with the plaintext codec (no key store). */
export const currentDataKey = async (
  keys: Encryption['keys'],
  em: EntityManager,
  principal: string,
  create: boolean,
): Promise<DataKey | null> => (keys ? keys.current(em, principal, { create }) : null);
