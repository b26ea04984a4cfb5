/**
 * Least-recently-used bookkeeping by size: which cached indexes to drop so that together they
 * fit `budgetBytes`. The entry just used is never chosen, so one collection larger than the whole
 * budget still loads and answers (alone).
 */
export class CacheBudget {
  readonly #budget: number;
  readonly #sizes = new Map<string, number>();
  #total = 0;

  constructor(budgetBytes: number) {
    this.#budget = budgetBytes;
  }

  get totalBytes(): number {
    return this.#total;
  }

  /** Marks `key` as just used, with its current size; returns the keys to evict, oldest first. */
  touch(key: string, bytes: number): string[] {
    this.#total -= this.#sizes.get(key) ?? 0;
    this.#sizes.delete(key);
    this.#sizes.set(key, bytes);
    this.#total += bytes;
    const evict: string[] = [];
    for (const [other, size] of this.#sizes) {
      if (this.#total <= this.#budget || other === key) break;
      evict.push(other);
      this.#sizes.delete(other);
      this.#total -= size;
    }
    return evict;
  }

  forget(key: string): void {
    this.#total -= this.#sizes.get(key) ?? 0;
    this.#sizes.delete(key);
  }
}
