/** A value in a query string, keeping `:` and `/` (legal there) readable. */
const queryValue = (value: string) => encodeURIComponent(value).replace(/%3A/g, ':').replace(/%2F/g, '/');

/**
 * The "Get a token" section of the API description (Markdown): the requests for the two grants a
 * client uses here, against this deployment's issuer and naming this API as the resource (RFC
 * 8707). Each fenced block runs as it stands in a POSIX shell with the variables it names set.
 */
export function getATokenSection(options: { issuer: string; apiUrl: string }): string {
  const issuer = options.issuer.replace(/\/$/, '');
  const resource = options.apiUrl;
  const authorize = [
    `${issuer}/auth?response_type=code&client_id=$CLIENT_ID&redirect_uri=$REDIRECT_URI`,
    `scope=${queryValue('openid vectors:read vectors:write')}&resource=${queryValue(resource)}`,
    'code_challenge=$CHALLENGE&code_challenge_method=S256&state=$STATE',
  ].join('&');
  return [
    '## Get a token',
    '',
    `Every operation needs an access token from the authorization server at ${issuer}, issued for this`,
    `API (\`resource=${resource}\`) with the scope the operation names (\`vectors:read\`,`,
    '`vectors:write`, `vectors:delete`). Register a client first: in the developer console',
    `(${issuer}/developers) or through the admin API. Send the token as \`Authorization: Bearer\``,
    '(the **Authorize** button, *bearer*, to try the operations on this page).',
    '',
    '**Client credentials**: a client acting as itself (the principal is the client).',
    '',
    '```sh',
    'curl -s -u "$CLIENT_ID:$CLIENT_SECRET" \\',
    '  -d grant_type=client_credentials \\',
    "  -d 'scope=vectors:read vectors:write' \\",
    `  -d resource=${resource} \\`,
    `  ${issuer}/token`,
    '```',
    '',
    '**Authorization code with PKCE**: an app acting for a person, who signs in and consents.',
    '',
    '```sh',
    '# a PKCE verifier, its S256 challenge and a state; then the URL to send the browser to',
    "VERIFIER=$(openssl rand -base64 48 | tr '+/' '-_' | tr -d '=\\n')",
    "CHALLENGE=$(printf '%s' \"$VERIFIER\" | openssl dgst -sha256 -binary | openssl base64 | tr '+/' '-_' | tr -d '=\\n')",
    'STATE=$(openssl rand -hex 16)',
    `echo "${authorize}"`,
    '```',
    '',
    '`$REDIRECT_URI` is one the client registered (URL-encoded in the URL if it has a query). The',
    'browser comes back to it with `code` and `state` (check that it is yours); exchange the code at once:',
    '',
    '```sh',
    'curl -s -u "$CLIENT_ID:$CLIENT_SECRET" \\',
    '  -d grant_type=authorization_code \\',
    '  -d "code=$CODE" \\',
    '  --data-urlencode "redirect_uri=$REDIRECT_URI" \\',
    '  -d "code_verifier=$VERIFIER" \\',
    `  ${issuer}/token`,
    '```',
    '',
    'A public client (no secret) sends `-d "client_id=$CLIENT_ID"` instead of `-u`. For a refresh token,',
    'add `offline_access` to the scope and `&prompt=consent` to the URL.',
  ].join('\n');
}
