import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { fitsBcrypt } from './password-policy.ts';
import type { PasswordTask } from './password-worker.ts';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * Compares in constant work: an absent `hash` (unknown account) is compared against a dummy
   * hash of the same cost, and an input bcrypt would truncate never matches.
   */
  verify(password: string, hash: string | undefined): Promise<boolean>;
  /** Whether a stored hash was made with another cost than the configured one. */
  needsRehash(hash: string): boolean;
  close(): Promise<void>;
}

/** bcryptjs at `cost` in a worker pool, so a burst of sign-ins does not stall other requests. */
export function createPasswordHasher(
  cost: number,
  threads = Math.max(1, availableParallelism()),
): PasswordHasher {
  const pool = new Piscina({
    filename: new URL('./password-worker.ts', import.meta.url).href,
    minThreads: 1,
    maxThreads: threads,
    idleTimeout: 30_000,
  });
  const run = (task: PasswordTask) => pool.run(task) as Promise<string | boolean>;
  let dummy: Promise<string> | undefined;
  const dummyHash = () => {
    dummy ??= run({ op: 'hash', password: 'dummy password for unknown accounts', cost }) as Promise<string>;
    return dummy;
  };

  return {
    hash: (password) => run({ op: 'hash', password, cost }) as Promise<string>,
    async verify(password, hash) {
      const target = hash ?? (await dummyHash());
      const matches = (await run({ op: 'compare', password, hash: target })) as boolean;
      return matches && hash !== undefined && fitsBcrypt(password);
    },
    needsRehash: (hash) => Number(/^\$2[aby]?\$(\d{2})\$/.exec(hash)?.[1]) !== cost,
    close: () => pool.destroy(),
  };
}
