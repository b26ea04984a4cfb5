import { type Align, formatTable } from '../lib/text-table.ts';

/**
 * What the admin CLI's list commands print for people: the admin API's answer as an aligned table,
 * one row per item, times in UTC to the second, `-` for nothing; a line after it says how to see
 * more when the API has more. `--format json` prints the answer itself instead.
 */

/** `2026-11-30 23:51:44` (UTC) from an ISO 8601 string or seconds since the epoch; `-` for none. */
export function readableTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  const date = new Date(typeof value === 'number' ? value * 1000 : value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

const text = (value: unknown): string =>
  value === null || value === undefined || value === '' ? '-' : String(value);
const yesNo = (value: unknown): string => (value ? 'yes' : 'no');
const left = (columns: number): Align[] => Array.from({ length: columns }, () => 'left');

export interface ClientRow {
  client_id: string;
  client_name?: string;
  token_endpoint_auth_method?: string;
  first_party?: boolean;
  grant_types?: string[];
  scope?: string;
  client_id_issued_at?: number;
}

/** `clients list`. */
export function clientsTable(answer: { clients: ClientRow[] }): string {
  if (answer.clients.length === 0) return 'no clients';
  const header = ['client id', 'name', 'type', 'first party', 'grants', 'scope', 'created (UTC)'];
  const rows = answer.clients.map((c) => [
    c.client_id,
    text(c.client_name),
    c.token_endpoint_auth_method === 'none' ? 'public' : 'confidential',
    yesNo(c.first_party),
    text(c.grant_types?.join(', ')),
    text(c.scope),
    readableTime(c.client_id_issued_at),
  ]);
  return formatTable(header, rows, left(header.length));
}

export interface UserRow {
  id: string;
  email: string;
  email_verified: boolean;
  disabled: boolean;
  created_at: string;
  last_sign_in_at: string | null;
}

/** `users list`: a page of users, and where the next one starts. */
export function usersTable(answer: {
  users: UserRow[];
  total: number;
  offset: number;
  limit: number;
}): string {
  const { users, total, offset, limit } = answer;
  if (users.length === 0)
    return total === 0 ? 'no users' : `no users from offset ${offset} (${total} in all)`;
  const header = ['id', 'e-mail', 'verified', 'disabled', 'created (UTC)', 'last sign-in (UTC)'];
  const rows = users.map((u) => [
    u.id,
    u.email,
    yesNo(u.email_verified),
    yesNo(u.disabled),
    readableTime(u.created_at),
    readableTime(u.last_sign_in_at),
  ]);
  const last = offset + users.length;
  const more = last < total ? `; next page: --offset ${last} --limit ${limit}` : '';
  return `${formatTable(header, rows, left(header.length))}\n\nusers ${offset + 1}-${last} of ${total}${more}`;
}

export interface KeyRow {
  kid: string;
  alg: string;
  status: string;
  createdAt: string;
  activatedAt: string | null;
  promotableAt: string | null;
  removeAfter: string | null;
  denyUntil: string | null;
}

/** What comes next in a key's lifecycle (the admin API's deadlines). */
function nextStep(key: KeyRow): string {
  if (key.promotableAt) return `promotable from ${readableTime(key.promotableAt)}`;
  if (key.removeAfter) return `published until ${readableTime(key.removeAfter)}`;
  if (key.denyUntil) return `its tokens refused until ${readableTime(key.denyUntil)}`;
  return '-';
}

/** `keys list`. */
export function keysTable(answer: { keys: KeyRow[] }): string {
  if (answer.keys.length === 0) return 'no signing keys';
  const header = ['kid', 'alg', 'status', 'created (UTC)', 'signing since (UTC)', 'next (UTC)'];
  const rows = answer.keys.map((k) => [
    k.kid,
    k.alg,
    k.status,
    readableTime(k.createdAt),
    readableTime(k.activatedAt),
    nextStep(k),
  ]);
  return formatTable(header, rows, left(header.length));
}

export interface AuditRow {
  id: string;
  at: string;
  action: string;
  outcome: string;
  actor_type: string;
  actor_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  client_id: string | null;
}

/** `audit list`: newest first, and how to ask for older events. */
export function auditTable(answer: { events: AuditRow[]; next_before: string | null }): string {
  if (answer.events.length === 0) return 'no audit events';
  const header = ['id', 'at (UTC)', 'action', 'outcome', 'actor', 'subject', 'client'];
  const rows = answer.events.map((e) => [
    e.id,
    readableTime(e.at),
    e.action,
    e.outcome,
    e.actor_id ? `${e.actor_type} ${e.actor_id}` : e.actor_type,
    e.subject_id ? `${e.subject_type ?? ''} ${e.subject_id}`.trim() : '-',
    text(e.client_id),
  ]);
  const table = formatTable(header, rows, left(header.length));
  return answer.next_before ? `${table}\n\nolder events: --before ${answer.next_before}` : table;
}
