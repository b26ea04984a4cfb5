import type { MailedLinkParams } from './account-flows.ts';

/** A link for a mail: `page` with its single-use token first, then `params` (all URL-encoded). */
export function mailedLink(page: string, token: string, params: MailedLinkParams = {}): string {
  return `${page}?${new URLSearchParams({ token, ...params })}`;
}
