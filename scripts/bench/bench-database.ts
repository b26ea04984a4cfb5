import { ensureDatabase } from '../lib/backing-services.ts';

/** A fresh database `name` (dropped first if it exists) on the server of `url`; returns its URL. */
export async function freshDatabase(url: string, name: string): Promise<string> {
  const target = new URL(url);
  target.pathname = `/${name}`;
  await ensureDatabase(target.toString(), true);
  return target.toString();
}
