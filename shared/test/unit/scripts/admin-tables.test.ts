import { expect } from 'chai';
import {
  auditTable,
  clientsTable,
  keysTable,
  readableTime,
  usersTable,
} from '../../../../scripts/admin/admin-tables.ts';
import { formatTable } from '../../../../scripts/lib/text-table.ts';

describe('admin CLI tables (what list commands print for people)', () => {
  it('aligns columns under a header and a rule, numbers right by default, no trailing spaces', () => {
    expect(
      formatTable(
        ['measurement', 'ops/s'],
        [
          ['tokens', '812'],
          ['searches', '1204'],
        ],
      ),
    ).to.equal(
      ['measurement   ops/s', '-----------   -----', 'tokens          812', 'searches       1204'].join('\n'),
    );
    expect(
      formatTable(
        ['a', 'b'],
        [
          ['x', 'longer'],
          ['yy', 'z'],
        ],
        ['left', 'left'],
      ),
    ).to.equal(['a    b', '--   ------', 'x    longer', 'yy   z'].join('\n'));
  });

  it('shows times in UTC to the second, from ISO strings or epoch seconds', () => {
    expect(readableTime('2026-11-30T23:51:44.123Z')).to.equal('2026-11-30 23:51:44');
    expect(readableTime(1796082740)).to.equal('2026-11-30 23:52:20');
    expect(readableTime(null)).to.equal('-');
  });

  it('clients list: one row per client, its type, grants and creation time', () => {
    const table = clientsTable({
      clients: [
        {
          client_id: 'HBHnRXAN_RPM1FZyZWjOrw',
          client_name: 'demo',
          first_party: false,
          grant_types: ['client_credentials'],
          scope: 'vectors:read',
          client_id_issued_at: 1796082740,
        },
        {
          client_id: 'account',
          client_name: 'Your account',
          first_party: true,
          grant_types: ['authorization_code', 'refresh_token'],
          token_endpoint_auth_method: 'none',
        },
      ],
    });
    expect(table).to.equal(
      [
        'client id                name           type           first party   grants                              scope          created (UTC)',
        '----------------------   ------------   ------------   -----------   ---------------------------------   ------------   -------------------',
        'HBHnRXAN_RPM1FZyZWjOrw   demo           confidential   no            client_credentials                  vectors:read   2026-11-30 23:52:20',
        'account                  Your account   public         yes           authorization_code, refresh_token   -              -',
      ].join('\n'),
    );
    expect(clientsTable({ clients: [] })).to.equal('no clients');
  });

  it('users list: a page, and where the next one starts', () => {
    const user = {
      id: '3f6c1c9e-8a8e-4a59-9d1f-2a1f0d5e7b21',
      email: 'ada@example.com',
      email_verified: true,
      disabled: false,
      created_at: '2026-11-30T10:00:00.000Z',
      last_sign_in_at: null,
    };
    expect(usersTable({ users: [user], total: 3, offset: 0, limit: 1 })).to.equal(
      [
        'id                                     e-mail            verified   disabled   created (UTC)         last sign-in (UTC)',
        '------------------------------------   ---------------   --------   --------   -------------------   ------------------',
        '3f6c1c9e-8a8e-4a59-9d1f-2a1f0d5e7b21   ada@example.com   yes        no         2026-11-30 10:00:00   -',
        '',
        'users 1-1 of 3; next page: --offset 1 --limit 1',
      ].join('\n'),
    );
    expect(
      usersTable({ users: [user], total: 3, offset: 2, limit: 1 })
        .split('\n')
        .at(-1),
    ).to.equal('users 3-3 of 3');
    expect(usersTable({ users: [], total: 0, offset: 0, limit: 50 })).to.equal('no users');
  });

  it('keys list: each key with its status and the next step of its lifecycle', () => {
    const key = {
      alg: 'ES256',
      createdAt: '2026-11-30T10:00:00.000Z',
      activatedAt: null,
      promotableAt: null,
      removeAfter: null,
      denyUntil: null,
    };
    expect(
      keysTable({
        keys: [
          { ...key, kid: 'cur', status: 'current', activatedAt: '2026-11-30T10:00:00.000Z' },
          { ...key, kid: 'nxt', status: 'next', promotableAt: '2026-11-30T10:05:00.000Z' },
          { ...key, kid: 'old', status: 'retired', removeAfter: '2026-12-14T10:00:00.000Z' },
          { ...key, kid: 'bad', status: 'revoked', denyUntil: '2026-12-01T10:00:00.000Z' },
        ],
      }),
    ).to.equal(
      [
        'kid   alg     status    created (UTC)         signing since (UTC)   next (UTC)',
        '---   -----   -------   -------------------   -------------------   --------------------------------------------',
        'cur   ES256   current   2026-11-30 10:00:00   2026-11-30 10:00:00   -',
        'nxt   ES256   next      2026-11-30 10:00:00   -                     promotable from 2026-11-30 10:05:00',
        'old   ES256   retired   2026-11-30 10:00:00   -                     published until 2026-12-14 10:00:00',
        'bad   ES256   revoked   2026-11-30 10:00:00   -                     its tokens refused until 2026-12-01 10:00:00',
      ].join('\n'),
    );
  });

  it('audit list: newest first, who did what to what, and how to see older events', () => {
    const table = auditTable({
      events: [
        {
          id: '12',
          at: '2026-11-30T23:52:21.132Z',
          action: 'user.sign_in',
          outcome: 'failure',
          actor_type: 'user',
          actor_id: 'u-1',
          subject_type: 'user',
          subject_id: 'u-1',
          client_id: 'web',
        },
        {
          id: '11',
          at: '2026-11-30T23:52:20.904Z',
          action: 'key.rotated',
          outcome: 'success',
          actor_type: 'admin',
          actor_id: null,
          subject_type: null,
          subject_id: null,
          client_id: null,
        },
      ],
      next_before: '11',
    });
    expect(table).to.equal(
      [
        'id   at (UTC)              action         outcome   actor      subject    client',
        '--   -------------------   ------------   -------   --------   --------   ------',
        '12   2026-11-30 23:52:21   user.sign_in   failure   user u-1   user u-1   web',
        '11   2026-11-30 23:52:20   key.rotated    success   admin      -          -',
        '',
        'older events: --before 11',
      ].join('\n'),
    );
  });
});
