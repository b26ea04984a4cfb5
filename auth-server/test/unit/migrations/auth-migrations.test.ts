import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import { AUTH_MIGRATIONS } from '../../../src/migrations/auth-migrations.ts';

describe('auth migrations: timestamped files, names as databases recorded them', () => {
  it('keeps every name schema_migrations already holds (an existing database runs none again)', () => {
    expect(AUTH_MIGRATIONS.map((m) => m.name)).to.deep.equal([
      '0001-initial',
      '0002-accounts',
      '0003-revocations',
      '0004-client-owners',
      '0005-signing-key-lifecycle',
      '0006-audit',
      '0007-federated-identities',
      '0008-console-initial-access-tokens',
      '0009-api-keys',
      '0010-second-factors',
      '0011-passkeys',
    ]);
  });

  it('lists every migration file once, oldest first, each class named after its file', () => {
    const files = readdirSync(new URL('../../../src/migrations/', import.meta.url))
      .filter((f) => f.startsWith('migration-'))
      .sort();
    for (const file of files) expect(file).to.match(/^migration-\d{14}-[a-z0-9-]+\.ts$/);
    const classes = files.map((file) =>
      file
        .replace(/\.ts$/, '')
        .split('-')
        .map((part) => part[0]!.toUpperCase() + part.slice(1))
        .join(''),
    );
    expect(AUTH_MIGRATIONS.map((m) => m.class.name)).to.deep.equal(classes);
  });
});
