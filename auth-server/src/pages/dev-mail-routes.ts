import Router from '@koa/router';
import type { Outbox } from '../mail/outbox.ts';
import type { PageRenderer } from './renderer.ts';

/** A run of a mail's text: plain, or a link (an http(s) URL in the text). */
export type TextPart = { text: string; href?: string };

const URL_IN_TEXT = /https?:\/\/[^\s<>"']+/g;

/** `text` cut into plain runs and links, each link the URL exactly as the mail wrote it. */
export function linkParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    // A sentence's closing punctuation is not part of the URL.
    const href = match[0].replace(/[.,;:!?)]+$/, '');
    const start = match.index;
    if (start > at) parts.push({ text: text.slice(at, start) });
    parts.push({ text: href, href });
    at = start + href.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}

const SHOWN = 50;

/** Whether a client address is this machine's (IPv4, IPv6, or IPv4 mapped into IPv6). */
const isLoopback = (ip: string) => /^(?:127\.|::1$|::ffff:127\.)/.test(ip);

/**
 * `/dev/mail` (development only, where mails are not sent, and only to a browser on this machine):
 * the newest mails of the outbox with their text decoded and their links clickable, so nobody
 * copies a link out of an .eml file.
 */
export function createDevMailRoutes(deps: { pages: PageRenderer; outbox: Outbox }): Router {
  const router = new Router();
  router.get('/dev/mail', function devMail(ctx) {
    // Its links reset passwords: only for a browser on this machine, even in development.
    if (!isLoopback(ctx.ip)) {
      const missing = { title: 'Not found', message: 'There is nothing at this address.' };
      return deps.pages.render(ctx, 'error', missing, 404);
    }
    const mails = deps.outbox.list(SHOWN).map((mail) => ({ ...mail, parts: linkParts(mail.text) }));
    deps.pages.render(ctx, 'dev-mail', { title: 'Development mail box', mails, dir: deps.outbox.dir });
  });
  return router;
}
