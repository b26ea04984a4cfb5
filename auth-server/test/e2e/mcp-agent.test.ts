import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { freePort } from '@vectorauth/shared';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import {
  type MetadataDocumentHost,
  startMetadataDocumentHost,
} from '../../../scripts/lib/metadata-document-host.ts';
import { BrowserSession } from '../support/browser-session.ts';
import { launchChromium } from '../support/chromium.ts';
import { signUpVerified } from '../support/code-flow.ts';
import { useAuthStack } from '../support/use-auth-stack.ts';

const PASSWORD = 'a long enough passphrase';

/** What an MCP host keeps for one server: the SDK asks it for everything, we only remember. */
class RememberingProvider implements OAuthClientProvider {
  information: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  /** Every authorization URL the SDK sent the person to. */
  readonly authorizations: URL[] = [];
  readonly redirectUrl: string;
  readonly clientMetadata: OAuthClientMetadata;
  readonly clientMetadataUrl: string | undefined;
  constructor(redirectUrl: string, clientMetadata: OAuthClientMetadata, clientMetadataUrl?: string) {
    this.redirectUrl = redirectUrl;
    this.clientMetadata = clientMetadata;
    this.clientMetadataUrl = clientMetadataUrl;
  }
  clientInformation() {
    return this.information;
  }
  saveClientInformation(information: OAuthClientInformationMixed) {
    this.information = information;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizations.push(url);
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

/**
 * The Done-when of issue 17: the MCP SDK's own client, given nothing but the vector API's /mcp URL,
 * finds the authorization server (RFC 9728, RFC 8414), becomes a client (a Client ID Metadata
 * Document served by the test, or anonymous dynamic registration), sends the person through
 * sign-in and consent in Chromium, calls the search tool; the person revokes the app on the
 * account page and the next tool call is refused.
 */
describe('e2e in Chromium: an MCP agent connects with nothing but the /mcp URL', function () {
  this.timeout(120_000);
  let host: MetadataDocumentHost;
  let vectorPort = 0;
  before(async () => {
    host = await startMetadataDocumentHost();
    vectorPort = await freePort();
  });
  after(() => host?.close());
  const stack = useAuthStack({
    smtp: true,
    env: () => ({
      OUTBOUND_CA_FILE: host.caFile,
      REGISTRATION_ANONYMOUS: 'on',
      VECTOR_API_URL: `http://localhost:${vectorPort}`,
    }),
    vectorApi: () => ({ VECTOR_PORT: String(vectorPort) }),
  });
  const mcpUrl = () => new URL(`http://localhost:${vectorPort}/mcp`);

  /** Signs in (first time) and allows, in Chromium; returns the code the browser brought back. */
  async function personApproves(
    page: Page,
    authorization: URL,
    callback: string,
    email: string,
  ): Promise<string> {
    let code = '';
    await page.route(`${callback}**`, async (route) => {
      code = new URL(route.request().url()).searchParams.get('code') ?? '';
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Back at the agent</h1>' });
    });
    await page.goto(authorization.href);
    if (await page.getByLabel('Password').isVisible()) {
      await page.getByLabel('E-mail').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
    }
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByRole('heading', { name: 'Back at the agent' }).waitFor();
    await page.unroute(`${callback}**`);
    expect(code).to.not.equal('');
    return code;
  }

  async function agentSession(provider: RememberingProvider, page: Page, email: string) {
    const first = new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider });
    const err = await new Client({ name: 'memory-agent', version: '1.0.0' }).connect(first).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, 'the first connection needs the person').to.be.instanceOf(UnauthorizedError);
    const authorization = provider.authorizations.at(-1) as URL;
    expect(authorization.origin).to.equal(new URL(stack.server.issuer).origin);
    expect(authorization.searchParams.get('resource')).to.equal(`http://localhost:${vectorPort}`);
    const code = await personApproves(page, authorization, provider.redirectUrl, email);
    await first.finishAuth(code);
    const client = new Client({ name: 'memory-agent', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider }));
    return client;
  }

  async function rememberAndRecall(client: Client) {
    await client.callTool({
      name: 'create_collection',
      arguments: { name: 'memory', dimension: 2, metric: 'l2' },
    });
    await client.callTool({
      name: 'upsert_vectors',
      arguments: {
        name: 'memory',
        vectors: [{ id: 'tea', vector: [1, 0], metadata: { note: 'likes tea' } }],
      },
    });
    const found = (await client.callTool({
      name: 'search',
      arguments: { name: 'memory', vector: [0.9, 0.1], k: 1 },
    })) as {
      content: { text: string }[];
    };
    expect(JSON.parse(found.content[0]?.text ?? '{}').results[0]).to.deep.include({
      id: 'tea',
      metadata: { note: 'likes tea' },
    });
  }

  async function revokeOnAccountPage(page: Page, appName: string) {
    await page.goto(`${stack.server.issuer}/account`);
    await page.getByRole('button', { name: `Revoke access for ${appName}` }).click();
    await page.getByRole('heading', { name: `Revoke access for ${appName}?` }).waitFor();
    await page.getByRole('button', { name: 'Revoke access' }).click();
    await page.getByText('The app no longer has access to your account.').waitFor();
  }

  for (const way of ['client ID metadata document', 'anonymous dynamic registration'] as const) {
    it(`registers through ${way}, searches, and is refused once the person revokes it`, async () => {
      const email = `agent-owner-${Math.random().toString(36).slice(2)}@example.com`;
      await signUpVerified(new BrowserSession(stack.server.issuer), stack.sink, email, PASSWORD);
      const callback = `http://127.0.0.1:${await freePort()}/callback`;
      const appName = way === 'client ID metadata document' ? 'Memory Agent (CIMD)' : 'Memory Agent (DCR)';
      const metadata: OAuthClientMetadata = {
        client_name: appName,
        redirect_uris: [callback],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        application_type: 'native',
      } as OAuthClientMetadata;
      let documentUrl: string | undefined;
      if (way === 'client ID metadata document') {
        documentUrl = `${host.origin}/agents/${Math.random().toString(36).slice(2)}/client.json`;
        host.serve(new URL(documentUrl).pathname, { client_id: documentUrl, ...metadata });
      }
      const provider = new RememberingProvider(callback, metadata, documentUrl);
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const client = await agentSession(provider, page, email);
        if (documentUrl)
          expect(provider.authorizations[0]?.searchParams.get('client_id')).to.equal(documentUrl);
        else
          expect(provider.information?.client_id)
            .to.be.a('string')
            .and.not.match(/^https:/);
        await rememberAndRecall(client);

        await revokeOnAccountPage(page, appName);
        const refused = await client
          .callTool({ name: 'search', arguments: { name: 'memory', vector: [1, 0], k: 1 } })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(refused, 'the next tool call is refused').to.be.instanceOf(Error);
        expect(provider.authorizations.length, 'and the agent has to ask the person again').to.equal(2);
        await client.close();
      } finally {
        await browser.close();
      }
    });
  }
});
