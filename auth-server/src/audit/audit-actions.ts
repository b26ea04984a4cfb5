/**
 * Every action the audit trail knows, `<what>.<happened>`. Code that records an event names one
 * of these; the admin API accepts only these as a filter.
 */
export const AUDIT_ACTIONS = [
  'user.sign_in',
  'user.sign_up',
  'user.email_verified',
  'user.password_reset_requested',
  'user.password_reset',
  'user.password_changed',
  'user.signed_out_everywhere',
  'user.disabled',
  'user.deleted',
  'federated_identity.linked',
  'federated_identity.unlinked',
  'second_factor.enrolled',
  'second_factor.removed',
  'second_factor.recovery_code_used',
  'second_factor.failed',
  'passkey.registered',
  'passkey.removed',
  'passkey.used',
  'passkey.failed',
  'consent.granted',
  'consent.denied',
  'consent.withdrawn',
  'token.revoked',
  'grant.revoked',
  'client.registered',
  'client.updated',
  'client.secret_rotated',
  'client.deleted',
  'key.rotated',
  'key.promoted',
  'key.retired',
  'key.revoked',
  'key.removed',
  'rate_limit.hit',
  'permission.denied',
  'api_key.created',
  'api_key.revoked',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OUTCOMES = ['success', 'failure'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Who did it: a person, an OAuth client, the operator (admin token), the server itself, or nobody known. */
export const AUDIT_ACTOR_TYPES = ['user', 'client', 'admin', 'system', 'anonymous'] as const;
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];

/** What it was done to. */
export type AuditSubjectType = 'user' | 'client' | 'grant' | 'key' | 'ip' | 'api_key';
