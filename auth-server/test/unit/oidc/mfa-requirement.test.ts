import { expect } from 'chai';
import { mfaRequired } from '../../../src/oidc/mfa-requirement.ts';

describe('mfaRequired (REQUIRE_MFA)', () => {
  it('off: never; all: always', () => {
    expect(mfaRequired('off', { clientScope: 'admin', requestedScope: 'admin' })).to.equal(false);
    expect(mfaRequired('all', {})).to.equal(true);
  });

  it('admin: an app registered for the admin scope, or a request asking it', () => {
    expect(mfaRequired('admin', { clientScope: 'openid vectors:read admin' })).to.equal(true);
    expect(mfaRequired('admin', { clientScope: 'openid', requestedScope: 'openid admin' })).to.equal(true);
    expect(mfaRequired('admin', { clientScope: 'openid vectors:read', requestedScope: 'openid' })).to.equal(
      false,
    );
    expect(
      mfaRequired('admin', { clientScope: 'administrator', requestedScope: 'admins' }),
      'whole words',
    ).to.equal(false);
    expect(mfaRequired('admin', { clientScope: undefined, requestedScope: 42 })).to.equal(false);
  });
});
