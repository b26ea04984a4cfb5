import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Provider } from 'oidc-provider';
import type { KeySet } from '../keys/key-set.ts';

export type OidcCallback = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** One built Provider with the key set it was built from. */
export interface LiveProvider {
  provider: Provider;
  callback: OidcCallback;
  keySet: KeySet;
}

export interface ProviderHolder {
  /**
   * The Provider that serves requests arriving now. A request that takes it at its start (the
   * public app's `oidc()`) is served to its end by that Provider, whatever is swapped in meanwhile.
   */
  live(): LiveProvider;
  /**
   * A stand-in for modules that keep a Provider (pages, client registry, account sessions): every
   * property read goes to the Provider live at that moment. Listeners, middleware and properties
   * are per Provider: set through the stand-in they would reach only the live one and be lost at
   * the next swap, so it refuses them (install them in `build`, which runs for every Provider).
   */
  readonly provider: Provider;
  /** Builds a Provider for `keySet` and makes it live; the previous one finishes what it started. */
  swap(keySet: KeySet): LiveProvider;
  /**
   * Sets how a key set becomes a Provider, once, before the first `swap`: for a builder whose hooks
   * need modules that themselves take `provider` (create them, then the builder, then swap).
   */
  buildWith(build: (keySet: KeySet) => Provider): void;
}

/** What the stand-in refuses: registrations on one Provider that the next swap would drop. */
const PER_PROVIDER = new Set<PropertyKey>([
  'on',
  'once',
  'addListener',
  'prependListener',
  'prependOnceListener',
  'use',
]);

/**
 * oidc-provider reads its keys once, at construction, so a new key set means a new Provider:
 * same adapter, same configuration, hooks installed again by `build`. The swap is one reference
 * assignment. Everything a flow carries across requests (interactions, sessions, grants, codes)
 * is in Postgres and in cookies signed with COOKIE_KEYS, so the next request of that flow
 * continues on the new Provider. Modules that need the Provider may be created before the first
 * `swap` (they read it lazily).
 */
export function createProviderHolder(initialBuild?: (keySet: KeySet) => Provider): ProviderHolder {
  let current: LiveProvider | undefined;
  let build = initialBuild;
  const live = (): LiveProvider => {
    if (!current) throw new Error('no Provider yet: swap in the first key set before serving');
    return current;
  };
  const refuse = (what: string): never => {
    throw new Error(
      `${what} through the Provider holder's stand-in would be lost at the next swap: do it in build`,
    );
  };

  const provider = new Proxy({} as Provider, {
    get(_target, property) {
      if (PER_PROVIDER.has(property)) return () => refuse(`provider.${String(property)}()`);
      const target = live().provider;
      const value = Reflect.get(target, property, target);
      // Methods use private fields: call them on the real instance. Model classes (getters) as they are.
      return typeof value === 'function' && isMethod(target, property) ? value.bind(target) : value;
    },
    has: (_target, property) => Reflect.has(live().provider, property),
    set: (_target, property) => refuse(`setting provider.${String(property)}`),
  });

  return {
    live,
    provider,
    swap(keySet) {
      if (!build) throw new Error('no Provider builder yet: call buildWith before the first swap');
      // Built completely before it is published: a key set oidc-provider refuses leaves the old one live.
      const built = build(keySet);
      current = { provider: built, callback: built.callback() as OidcCallback, keySet };
      return current;
    },
    buildWith(builder) {
      if (build) throw new Error('the Provider builder is already set');
      build = builder;
    },
  };
}

/** A function found as a value (not a getter) on the object or its prototypes. */
function isMethod(object: object, property: PropertyKey): boolean {
  for (let o: object | null = object; o; o = Object.getPrototypeOf(o)) {
    const descriptor = Object.getOwnPropertyDescriptor(o, property);
    if (descriptor) return 'value' in descriptor;
  }
  return false;
}
