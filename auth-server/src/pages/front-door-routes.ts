import Router from '@koa/router';
import type { PageRenderer } from './renderer.ts';

/**
 * `/`: where a person who typed the server's address lands, with the ways in: sign in, create an
 * account, the account page, the developer console; in development also the vector API's
 * reference and where mails go (nothing is sent: they land in DATA_DIR/outbox).
 */
export function createFrontDoorRoutes(deps: {
  pages: PageRenderer;
  development: boolean;
  vectorApiUrl: string;
}): Router {
  const router = new Router();
  router.get('/', function frontDoor(ctx) {
    deps.pages.render(ctx, 'home', {
      title: 'vectorauth',
      development: deps.development,
      apiReference: `${deps.vectorApiUrl.replace(/\/$/, '')}/docs`,
    });
  });
  return router;
}
