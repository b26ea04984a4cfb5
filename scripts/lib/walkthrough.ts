/**
 * The copy-paste walkthrough printed by `npm start` and shown in README.md (the e2e test runs
 * these exact commands): an M2M client, a token, a collection, an upsert, a search.
 * `cliEnv` (e.g. ADMIN_URL when ADMIN_PORT is not the default) prefixes the admin CLI, so the
 * commands work verbatim from another terminal that has none of `npm start`'s environment.
 */
export function walkthrough(urls: {
  issuer: string;
  adminUrl: string;
  vectorUrl: string;
  cliEnv?: Record<string, string>;
}): string {
  const prefix = Object.entries(urls.cliEnv ?? {})
    .map(([k, v]) => `${k}=${shellWord(v)} `)
    .join('');
  return `eval "$(${prefix}npm run -s admin -- clients create --name demo --grant client_credentials --scope 'vectors:read vectors:write vectors:delete' --format env)"
TOKEN=$(curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials -d 'scope=vectors:read vectors:write' ${urls.issuer}/token | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')
curl -s -w '\\n' -X POST ${urls.vectorUrl}/v1/collections -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"name":"docs","dimension":3,"metric":"cosine"}'
curl -s -w '\\n' -X PUT ${urls.vectorUrl}/v1/collections/docs/vectors -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"vectors":[{"id":"a","vector":[1,0,0],"metadata":{"title":"first"}},{"id":"b","vector":[0,1,0]}]}'
curl -s -w '\\n' -X POST ${urls.vectorUrl}/v1/collections/docs/search -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"vector":[0.9,0.1,0],"k":2}'`;
}

function shellWord(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
