import { expect } from 'chai';
import { InsufficientScopeError, InvalidTokenError, NotFoundError } from '../../../src/errors/errors.ts';
import { toAppError } from '../../../src/http/to-app-error.ts';

describe('toAppError', () => {
  it('keeps our own errors', () => {
    const e = new NotFoundError('no such collection');
    expect(toAppError(e)).to.equal(e);
  });

  it('maps body-parser failures to stable codes', () => {
    expect(toAppError({ status: 413, type: 'entity.too.large' }).code).to.equal('payload_too_large');
    expect(toAppError({ status: 400, type: 'entity.parse.failed' }).code).to.equal('invalid_json');
    expect(toAppError({ status: 415 }).code).to.equal('unsupported_media_type');
  });

  it("knows a body that is not JSON by the parser's SyntaxError, not by the words of a message", () => {
    const unparsable = Object.assign(new SyntaxError('Unexpected token } in JSON at position 1'), {
      status: 400,
    });
    expect(toAppError(unparsable).code).to.equal('invalid_json');
    const otherwise = Object.assign(new Error('the JSON field "x" is wrong'), { status: 400, expose: true });
    expect(toAppError(otherwise).code).to.equal('invalid_request');
  });

  it('hides the message of anything unexpected behind a 500', () => {
    const e = toAppError(new Error('connection to 10.0.0.5 refused: password authentication failed'));
    expect(e.status).to.equal(500);
    expect(e.message).to.equal('internal error');
  });

  it('builds RFC 6750 challenges', () => {
    expect(new InvalidTokenError('expired', 'vector-api').headers['WWW-Authenticate']).to.equal(
      'Bearer realm="vector-api", error="invalid_token", error_description="expired"',
    );
    expect(new InvalidTokenError('missing', 'vector-api', false).headers['WWW-Authenticate']).to.equal(
      'Bearer realm="vector-api"',
    );
    expect(new InsufficientScopeError('vectors:write', 'vector-api').headers['WWW-Authenticate']).to.contain(
      'error="insufficient_scope"',
    );
  });
});
