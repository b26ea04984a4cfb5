import type { AdapterPayload } from 'oidc-provider';

/** One row of `oidc_model` as the adapter selects it. */
export interface OidcModelRow {
  id: string;
  payload: AdapterPayload;
  /** Seconds since the epoch, as oidc-provider expects `consumed`. */
  consumed: number | null;
}

/**
 * What oidc-provider reads from a row: the stored payload without our rotation bookkeeping
 * (`successor`), a client's secret opened by `openSecret`, and `consumed` when it was.
 */
export function oidcModelPayload(
  model: string,
  row: OidcModelRow | undefined,
  openSecret: (clientId: string, payload: AdapterPayload) => AdapterPayload,
): AdapterPayload | undefined {
  if (!row) return undefined;
  const { successor: _successor, ...stored } = row.payload;
  const payload = model === 'Client' ? openSecret(row.id, stored) : stored;
  return row.consumed ? { ...payload, consumed: row.consumed } : payload;
}
