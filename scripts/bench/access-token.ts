/** Decodes a JWT's header and payload without verifying it (the bench only checks the shape). */
export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [header, payload] = token.split('.');
  if (!header || !payload) throw new Error('not a JWT');
  const part = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString()) as Record<string, unknown>;
  return { header: part(header), payload: part(payload) };
}

/** Both token servers must issue the same kind of token, or the comparison means nothing. */
export function assertAccessToken(token: string, expected: { alg: string; audience: string }): void {
  const { header, payload } = decodeJwt(token);
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (header.typ !== 'at+jwt' || header.alg !== expected.alg || !aud.includes(expected.audience)) {
    throw new Error(
      `unexpected access token: typ=${String(header.typ)} alg=${String(header.alg)} aud=${String(payload.aud)}`,
    );
  }
}
