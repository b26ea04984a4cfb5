import { expect } from 'chai';
import { redisReplyCode } from '../../../src/events/principal-event-stream.ts';

describe('redisReplyCode', () => {
  it("is the first word of Redis's error reply", () => {
    expect(redisReplyCode(new Error('BUSYGROUP Consumer Group name already exists'))).to.equal('BUSYGROUP');
    expect(
      redisReplyCode(
        new Error("NOGROUP No such key 'k' or consumer group 'g' in XREADGROUP with GROUP option"),
      ),
    ).to.equal('NOGROUP');
  });

  it('does not find a code mentioned later in the message', () => {
    expect(redisReplyCode(new Error('ERR the group BUSYGROUP'))).to.equal('ERR');
    expect(redisReplyCode('Connection is closed.')).to.equal('Connection');
  });
});
