import type { FaissIndexContents } from './faiss.ts';

/**
 * Reads a FAISS index file for importing it (`readFaissIndexFile`). FAISS is loaded on the
 * first call, not when the package is imported, so a process that imports `@vectorauth/vector-api`
 * to serve requests never has FAISS on its thread.
 */
export async function loadFaissIndexFile(path: string): Promise<FaissIndexContents> {
  const { readFaissIndexFile } = await import('./faiss.ts');
  return readFaissIndexFile(path);
}
