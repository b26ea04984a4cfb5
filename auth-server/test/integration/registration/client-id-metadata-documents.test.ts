import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { decodeJwt } from 'jose';
import {
  type MetadataDocumentHost,
  startMetadataDocumentHost,
} from '../../../../scripts/lib/metadata-document-host.ts';
import { newSignedInAccount } from '../../support/accounts.ts';
import { BrowserSession } from '../../support/browser-session.ts';
import { authorizationRequest, consent, newPkce, publicTokenRequest } from '../../support/code-flow.ts';
import { startTestAuthServer } from '../../support/test-auth-server.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

const REDIRECT = 'http://127.0.0.1:7777/callback';

/**
 * Client ID Metadata Documents: an agent's client_id is the https URL of its own metadata, which
 * the server fetches as hostile input. One happy path end to end, then every refusal.
 */
describe('client ID metadata documents (an https client_id fetched as hostile input)', () => {
  let host: MetadataDocumentHost;
  before(async () => {
    host = await startMetadataDocumentHost();
  });
  after(() => host?.close());
  const stack = useAuthStack({ smtp: true, env: () => ({ OUTBOUND_CA_FILE: host.caFile }) });

  let n = 0;
  /** A fresh path on the host and the agent's document for it (native app, loopback redirect, public). */
  const agent = (over: Record<string, unknown> = {}, path = `/agents/${++n}/client.json`) => {
    const clientId = `${host.origin}${path}`;
    return {
      path,
      clientId,
      document: {
        client_id: clientId,
        client_name: 'Memory Agent',
        client_uri: host.origin,
        redirect_uris: [REDIRECT],
        application_type: 'native',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        scope: 'openid offline_access vectors:read',
        ...over,
      },
    };
  };
  /** The authorization request of `clientId` as a browser sends it; refused means no interaction began. */
  const startAuthorization = (browser: BrowserSession, clientId: string, pkce = newPkce()) =>
    browser.get(authorizationRequest({ client_id: clientId, redirectUri: REDIRECT }, {}, pkce));
  async function expectRefused(clientId: string) {
    const page = await startAuthorization(new BrowserSession(stack.server.issuer), clientId);
    expect(page.status, page.html).to.equal(400);
    expect(page.url).to.not.contain('/interaction/');
    expect(page.leftTo, 'never sent to the redirect URI').to.equal(undefined);
  }

  it('advertises the feature in its metadata', async () => {
    const metadata = (await (
      await fetch(`${stack.server.issuer}/.well-known/oauth-authorization-server`)
    ).json()) as Record<string, unknown>;
    expect(metadata.client_id_metadata_document_supported).to.equal(true);
  });

  it('signs a person in for such a client: consent names it unverified with its domain, no secret redeems the code', async () => {
    const a = agent();
    host.serve(a.path, a.document);
    const browser = new BrowserSession(stack.server.issuer);
    await newSignedInAccount(browser, stack.sink);
    const pkce = newPkce();
    const page = await startAuthorization(browser, a.clientId, pkce);
    expect(page.html, page.html).to.contain('Memory Agent');
    expect(page.html).to.match(/Unverified app from <strong>localhost<\/strong>/);
    const done = await consent(browser, page, 'allow');
    expect(done.leftTo?.origin + (done.leftTo?.pathname ?? '')).to.equal(REDIRECT);
    const code = done.leftTo?.searchParams.get('code') ?? '';
    const res = await publicTokenRequest(stack.server, {
      grant_type: 'authorization_code',
      client_id: a.clientId,
      code,
      redirect_uri: REDIRECT,
      code_verifier: pkce.verifier,
    });
    expect(res.status, await res.clone().text()).to.equal(200);
    const { access_token } = (await res.json()) as { access_token: string };
    expect(decodeJwt(access_token)).to.include({
      client_id: a.clientId,
      aud: stack.server.config.vectorApiUrl,
    });
  });

  it('keeps a fetched document as its Cache-Control says (at least 30 s), not one fetch per request', async () => {
    const a = agent();
    host.serve(a.path, a.document, { 'cache-control': 'max-age=0' });
    for (let i = 0; i < 3; i++) {
      const page = await startAuthorization(new BrowserSession(stack.server.issuer), a.clientId);
      expect(page.url).to.contain('/interaction/');
    }
    expect(host.hits(a.path)).to.equal(1);
  });

  it('refuses a document whose client_id is not its own URL', async () => {
    const a = agent({ client_id: `${host.origin}/someone-else.json` });
    host.serve(a.path, a.document);
    await expectRefused(a.clientId);
  });

  it('refuses a redirect to a document elsewhere, and does not follow it', async () => {
    const target = agent();
    host.serve(target.path, target.document);
    const a = agent();
    host.serve(a.path, (_req, res) => res.writeHead(302, { location: target.clientId }).end());
    await expectRefused(a.clientId);
    expect(host.hits(target.path)).to.equal(0);
  });

  it('refuses a document over 5 KiB, and one that takes longer than 2.5 s', async () => {
    const big = agent({ client_name: 'x'.repeat(200), contacts: [], padding: 'p'.repeat(6000) });
    host.serve(big.path, big.document);
    await expectRefused(big.clientId);
    const slow = agent();
    host.serve(slow.path, async (_req, res) => {
      await sleep(3500);
      if (!res.destroyed)
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(slow.document));
    });
    await expectRefused(slow.clientId);
  });

  it('refuses a document that is not JSON or not an object', async () => {
    const a = agent();
    host.serve(a.path, (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"client_id":'),
    );
    await expectRefused(a.clientId);
    const b = agent();
    host.serve(b.path, [b.clientId]);
    await expectRefused(b.clientId);
  });

  it('applies the registration policy: bad redirect URIs, a secret, trust flags, keys and admin are refused', async () => {
    for (const over of [
      { redirect_uris: ['http://evil.example/cb'] },
      { redirect_uris: ['javascript:alert(1)'] },
      { application_type: 'web', redirect_uris: [REDIRECT] },
      { token_endpoint_auth_method: 'client_secret_basic' },
      { client_secret: 'chosen-by-the-client' },
      { first_party: true },
      { jwks_uri: 'https://localhost/jwks' },
      { scope: 'openid admin' },
      { grant_types: ['client_credentials'] },
    ]) {
      const a = agent(over);
      host.serve(a.path, a.document);
      await expectRefused(a.clientId);
    }
  });

  it('refuses the client when its document becomes bad after it was cached (the policy runs on every use)', async () => {
    const a = agent({ scope: 'openid admin' });
    host.serve(a.path, a.document, { 'cache-control': 'max-age=600' });
    await expectRefused(a.clientId);
    await expectRefused(a.clientId);
    expect(host.hits(a.path)).to.equal(1);
  });

  it('in development takes a document on this machine over plain http, by the same rules', async () => {
    const server = createServer((req, res) => {
      const self = `http://127.0.0.1:${(server.address() as AddressInfo).port}${req.url}`;
      const document = { ...agent().document, client_id: req.url === '/wrong.json' ? `${self}x` : self };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const page = await startAuthorization(new BrowserSession(stack.server.issuer), `${origin}/agent.json`);
      expect(page.status, page.html).to.equal(200);
      expect(page.url).to.contain('/interaction/');
      await expectRefused(`${origin}/wrong.json`);
      await expectRefused('http://agents.example/client.json');
    } finally {
      server.close();
    }
  });

  it('an operator can block a domain (no fetch at all) or allow only some', async () => {
    const a = agent();
    host.serve(a.path, a.document);
    const lists: Record<string, string>[] = [
      { CIMD_BLOCKED_DOMAINS: 'example.org, localhost' },
      { CIMD_ALLOWED_DOMAINS: 'agents.example' },
    ];
    for (const env of lists) {
      const server = await startTestAuthServer({ OUTBOUND_CA_FILE: host.caFile, ...env });
      try {
        const page = await new BrowserSession(server.issuer).get(
          authorizationRequest({ client_id: a.clientId, redirectUri: REDIRECT }),
        );
        expect(page.status, JSON.stringify(env)).to.equal(400);
      } finally {
        await server.close();
      }
    }
    expect(host.hits(a.path)).to.equal(0);
  });

  it('CIMD=off: a URL client_id is an unknown client', async () => {
    const a = agent();
    host.serve(a.path, a.document);
    const server = await startTestAuthServer({ OUTBOUND_CA_FILE: host.caFile, CIMD: 'off' });
    try {
      const page = await new BrowserSession(server.issuer).get(
        authorizationRequest({ client_id: a.clientId, redirectUri: REDIRECT }),
      );
      expect(page.status).to.equal(400);
      const metadata = (await (
        await fetch(`${server.issuer}/.well-known/openid-configuration`)
      ).json()) as Record<string, unknown>;
      expect(metadata.client_id_metadata_document_supported).to.equal(undefined);
    } finally {
      await server.close();
    }
    expect(host.hits(a.path)).to.equal(0);
  });
});
