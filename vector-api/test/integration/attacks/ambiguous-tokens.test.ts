import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

/**
 * Tokens an attacker writes by hand and gets signed by the issuer's published key: a member
 * named twice (which JSON.parse would settle as "last one wins") or an `iat` in the future.
 * The vector API answers 401 invalid_token to each, and never lets the second `sub` in.
 */
describe('attack suite: ambiguous and future-dated tokens at the vector API', function () {
  this.timeout(60_000);
  let h: Harness;
  const victim = `victim-${randomUUID()}`;
  const attacker = `attacker-${randomUUID()}`;
  const name = `secret-${randomUUID().slice(0, 8)}`;

  before(async () => {
    h = await startHarness();
    const token = await h.issuer.sign({ sub: victim });
    expect(
      (await h.call('POST', '/v1/collections', { token, body: { name, dimension: 2, metric: 'l2' } })).status,
    ).to.equal(201);
  });
  after(() => h?.close());

  const now = () => Math.floor(Date.now() / 1000);
  const header = () => `{"alg":"ES256","typ":"at+jwt","kid":"${h.issuer.kid}"}`;
  const claims = (sub: string, extra = '', iat = now()) =>
    `{"iss":"${h.issuer.issuer}","aud":"${h.issuer.audience}","sub":"${sub}","client_id":"c",` +
    `"scope":"vectors:read","jti":"${randomUUID()}","iat":${iat},"exp":${now() + 300}${extra}}`;
  const get = (token: string) => h.call('GET', `/v1/collections/${name}`, { token });
  const expect401 = async (token: string, message: RegExp) => {
    const res = await get(token);
    expect(res.status, res.text).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.match(/error="invalid_token"/);
    expect(res.body.message).to.match(message);
  };

  it("the hand-signed victim token reads the victim's collection (the control)", async () => {
    expect((await get(await h.issuer.signRaw(header(), claims(victim)))).status).to.equal(200);
  });

  it('refuses "sub" named twice, whichever comes last', async () => {
    await expect401(await h.issuer.signRaw(header(), claims(attacker, `,"sub":"${victim}"`)), /ambiguous/);
    await expect401(await h.issuer.signRaw(header(), claims(victim, `,"sub":"${attacker}"`)), /ambiguous/);
  });

  it('refuses a header naming "typ" twice', async () => {
    const dup = `{"alg":"ES256","typ":"JWT","typ":"at+jwt","kid":"${h.issuer.kid}"}`;
    await expect401(await h.issuer.signRaw(dup, claims(victim)), /ambiguous/);
  });

  it('refuses an iat an hour in the future', async () => {
    await expect401(await h.issuer.signRaw(header(), claims(victim, '', now() + 3600)), /not valid yet/);
  });
});
