/** Every scenario `npm run bench` runs by default, in order; `--only a,b` picks some of them. */
export const SCENARIOS = [
  'tokens',
  'searches',
  'filtered',
  'encryption',
  'sign-ins',
  'resource-layers',
  'dpop',
  'api-keys',
  'cimd',
  'signing',
  'cold-load',
  'scale-tokens',
  'vector-cache',
  'ann',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

/**
 * The scenarios to run: all of them without `--only`, else the named ones (comma-separated,
 * repeated flags joined), in the default order. An unknown name is an error that lists the known.
 */
export function selectScenarios(only: readonly string[] | undefined): Set<Scenario> {
  if (!only || only.length === 0) return new Set(SCENARIOS);
  const names = only
    .flatMap((o) => o.split(','))
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(
      `unknown scenario${unknown.length === 1 ? '' : 's'} ${unknown.join(', ') || '(none given)'}; known: ${SCENARIOS.join(', ')}`,
    );
  }
  return new Set(SCENARIOS.filter((s) => names.includes(s)));
}
