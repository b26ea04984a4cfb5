import Router from '@koa/router';
import type { Outbox } from '../mail/outbox.ts';
import { createDevMailRoutes } from './dev-mail-routes.ts';
import type { PageRenderer } from './renderer.ts';

/**
 * `/`: where a person who typed the server's address lands, with the ways in: sign in, create an
 * account, the account page, the developer console; in development also the vector API's
 * reference and the development mail box (`/dev/mail`, with `devMail`: mails are not sent).
 */
export function createFrontDoorRoutes(deps: {
  pages: PageRenderer;
  development: boolean;
  vectorApiUrl: string;
  /** In development without SMTP_URL: the outbox that `/dev/mail` lists (absent in production). */
  devMail?: Outbox;
}): Router {
  const router = new Router();
  router.get('/', function frontDoor(ctx) {
    // No title of its own: the page is headed by the operator's product name (BRAND_NAME).
    deps.pages.render(ctx, 'home', {
      development: deps.development,
      apiReference: `${deps.vectorApiUrl.replace(/\/$/, '')}/docs`,
      devMail: deps.devMail !== undefined,
    });
  });
  if (deps.devMail) router.use(createDevMailRoutes({ pages: deps.pages, outbox: deps.devMail }).routes());
  return router;
}
