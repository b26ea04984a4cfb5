import { expect } from 'chai';
import { linkParts } from '../../../src/pages/dev-mail-routes.ts';

describe('development mail box: links in a mail text', () => {
  it('cuts a text into plain runs and links, keeping every character', () => {
    const text = 'Open https://a.example/verify?token=x&y=1 to confirm.\nOr http://b.example/reset.';
    const parts = linkParts(text);
    expect(parts.map((p) => p.text).join('')).to.equal(text);
    expect(parts.filter((p) => p.href).map((p) => p.href)).to.deep.equal([
      'https://a.example/verify?token=x&y=1',
      'http://b.example/reset',
    ]);
  });

  it('leaves a text without links as one plain run, and takes no other scheme', () => {
    expect(linkParts('no links here')).to.deep.equal([{ text: 'no links here' }]);
    expect(linkParts('javascript:alert(1) and data:text/html,x').every((p) => !p.href)).to.equal(true);
  });
});
