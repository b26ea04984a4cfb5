import { expect } from 'chai';
import { z } from 'zod';
import { redisUrl } from '../../../src/config/env-schemas.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { redactUrl } from '../../../src/config/redact-url.ts';
import { ConfigError } from '../../../src/errors/errors.ts';
import { parseRedisUrl, RedisUrlError } from '../../../src/redis/redis-url.ts';

describe('REDIS_URL', () => {
  it('hands redis:// and rediss:// URLs to ioredis as they are', () => {
    for (const url of ['redis://127.0.0.1:6379', 'rediss://user:pw@cache.example:6380/2']) {
      expect(parseRedisUrl(url)).to.deep.equal({ mode: 'standalone', url });
    }
  });

  it('reads a Cluster by its seed nodes, with credentials, TLS and default ports', () => {
    expect(parseRedisUrl('redis+cluster://10.0.0.1:7000,10.0.0.2:7001,redis-c')).to.deep.equal({
      mode: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: 'redis-c', port: 6379 },
      ],
      username: undefined,
      password: undefined,
      tls: false,
    });
    expect(parseRedisUrl('rediss+cluster://app:p%40ss%3Aword@[::1]:7000,h2:7001')).to.deep.include({
      mode: 'cluster',
      nodes: [
        { host: '::1', port: 7000 },
        { host: 'h2', port: 7001 },
      ],
      username: 'app',
      password: 'p@ss:word',
      tls: true,
    });
  });

  it('reads a Sentinel set and the name of the master it watches', () => {
    expect(parseRedisUrl('redis+sentinel://s1:26379,s2/mymaster')).to.deep.equal({
      mode: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      name: 'mymaster',
      username: undefined,
      password: undefined,
      tls: false,
    });
    expect(parseRedisUrl('rediss+sentinel://:secret@s1:5000/cache')).to.deep.include({
      password: 'secret',
      tls: true,
      name: 'cache',
    });
  });

  it('refuses what it cannot use, saying why', () => {
    const refusal = (url: string) => {
      try {
        parseRedisUrl(url);
      } catch (err) {
        expect(err).to.be.instanceOf(RedisUrlError);
        return (err as Error).message;
      }
      return expect.fail(`${url} was taken`);
    };
    expect(refusal('http://127.0.0.1:6379')).to.match(/^must be redis:\/\/host:port/);
    expect(refusal('redis+sentinel://s1:26379')).to.contain('must end in /<master-name>');
    expect(refusal('redis+sentinel://s1:26379/a/b')).to.contain('must end in /<master-name>');
    expect(refusal('redis+cluster://h1:7000/0')).to.contain('takes no path');
    expect(refusal('redis+cluster://h1:7000,h2:notaport')).to.contain('its host 2 is not a host:port');
    // A password with an unencoded '/' ends the hosts early: the message must not show any of it.
    for (const url of ['redis+cluster://:hunter/2@h1:7000', 'redis+sentinel://:hunter/2@s1:26379/mymaster']) {
      expect(refusal(url)).not.to.contain('hunter');
    }
    expect(refusal('redis+cluster://h1:70000')).to.contain('is not a host:port');
    expect(refusal('redis+cluster://')).to.contain('names no host');
    expect(refusal('redis+cluster://h1:7000?tls=1')).to.contain('no query');
    expect(refusal('redis+cluster://us%er:pw@h1')).to.contain('user name is not percent-encoded');
  });

  it('is checked at boot with the forms it may take, never echoing a password', () => {
    const schema = z.object({ REDIS_URL: redisUrl() });
    try {
      loadConfig(schema, { REDIS_URL: 'redis+cluster://app:hunter2@h1:7000,h2:x' });
      expect.fail('should throw');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const issues = (err as ConfigError).issues.join('\n');
      expect(issues)
        .to.contain('REDIS_URL')
        .and.contain('redis+sentinel://host1:port1,host2:port2/master-name');
      expect(issues).not.to.contain('hunter2');
    }
  });

  it('redacts the password of every form in log lines', () => {
    expect(redactUrl('redis://:hunter2@h:6379')).to.equal('redis://:redacted@h:6379');
    expect(redactUrl('rediss+cluster://app:hunter2@h1:7000,h2:7001')).to.equal(
      'rediss+cluster://app:redacted@h1:7000,h2:7001',
    );
    expect(redactUrl('redis+sentinel://:p%2Fw@s1:26379,s2/mymaster')).to.equal(
      'redis+sentinel://:redacted@s1:26379,s2/mymaster',
    );
    expect(redactUrl('redis+cluster://h1:7000,h2:7001')).to.equal('redis+cluster://h1:7000,h2:7001');
  });
});
