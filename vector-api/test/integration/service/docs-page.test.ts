import { expect } from 'chai';
import { apiReferenceSuite } from '../../../../shared/test/support/api-reference-suite.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

describe('vector-api /docs: the API reference, served from the API itself', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  apiReferenceSuite({ origin: () => h.url, path: '/docs', openApiPath: '/openapi.json' });

  it("says how to get a token from this deployment's issuer, for this API", async () => {
    const doc = (await h.call('GET', '/openapi.json')).body as { info: { description: string } };
    const issuer = h.issuer.issuer;
    const api = h.env.VECTOR_API_URL;
    const description = doc.info.description;
    expect(description).to.contain('## Get a token');
    // Client credentials: HTTP Basic, the grant, the scopes, this API as the resource.
    expect(description)
      .to.contain('curl -s -u "$CLIENT_ID:$CLIENT_SECRET"')
      .and.contain('-d grant_type=client_credentials')
      .and.contain("-d 'scope=vectors:read vectors:write'")
      .and.contain(`-d resource=${api} `)
      .and.contain(`  ${issuer}/token\n`);
    // Authorization code: the authorization URL with a PKCE challenge, then the exchange.
    expect(description)
      .to.contain(`${issuer}/auth?response_type=code&client_id=$CLIENT_ID`)
      .and.contain(`&resource=${api}&`)
      .and.contain('code_challenge=$CHALLENGE&code_challenge_method=S256')
      .and.contain('-d grant_type=authorization_code')
      .and.contain('-d "code_verifier=$VERIFIER"');
    // The description as it was is still there, first.
    expect(description).to.match(/^Per-principal collections of vectors/);
  });
});
