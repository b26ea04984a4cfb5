/**
 * Tests share 127.0.0.1 and one Redis: every server a test starts lifts the rate limits out of the
 * way with these defaults of its own (a test of the limits passes its own values over them).
 */
export const LIFTED_AUTH_RATE_LIMITS: Readonly<Record<string, string>> = {
  RATE_LIMIT_OAUTH_PER_CLIENT: '1000000',
  RATE_LIMIT_REGISTRATION_PER_IP: '1000000',
  RATE_LIMIT_FORMS_PER_IP: '1000000',
  RATE_LIMIT_MAILS_PER_ACCOUNT: '1000000',
};

/** The vector API's limit, lifted the same way. */
export const LIFTED_VECTOR_RATE_LIMITS: Readonly<Record<string, string>> = { VECTOR_RATE_LIMIT: '1000000' };
