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
  /** The Provider that serves requests arriving now. */
  live(): LiveProvider;
  /**
   * A stand-in for modules that keep a Provider (pages, client registry, account sessions):
   * every property read goes to the live Provider at that moment.
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

/**
 * oidc-provider reads its keys once, at construction, so a new key set means a new Provider:
 * same adapter, same configuration, hooks installed again by `build`. The swap is one reference
 * assignment. A request holds the Provider it started on until it ends; everything a flow carries
 * across requests (interactions, sessions, grants, codes) is in Postgres and in cookies signed
 * with COOKIE_KEYS, so the next request of that flow continues on the new Provider.
 * Modules that need the Provider may be created before the first `swap` (they read it lazily).
 */
export function createProviderHolder(initialBuild?: (keySet: KeySet) => Provider): ProviderHolder {
  let current: LiveProvider | undefined;
  let build = initialBuild;
  const live = (): LiveProvider => {
    if (!current) throw new Error('no Provider yet: swap in the first key set before serving');
    return current;
  };

  const view = new Proxy({} as Provider, {
    get(_target, property) {
      const target = live().provider;
      const value = Reflect.get(target, property, target);
      // Methods use private fields: call them on the real instance. Model classes (getters) as they are.
      return typeof value === 'function' && isMethod(target, property) ? value.bind(target) : value;
    },
    has: (_target, property) => Reflect.has(live().provider, property),
    set: (_target, property, value) => Reflect.set(live().provider, property, value),
  });

  return {
    live,
    provider: view,
    swap(keySet) {
      if (!build) throw new Error('no Provider builder yet: call buildWith before the first swap');
      // Built completely before it is published: a key set oidc-provider refuses leaves the old one live.
      const provider = build(keySet);
      current = { provider, callback: provider.callback() as OidcCallback, keySet };
      return current;
    },
    buildWith(builder) {
      if (build) throw new Error('the Provider builder is already set');
      build = builder;
    },
  };
}

function isMethod(object: object, property: PropertyKey): boolean {
  for (let o: object | null = object; o; o = Object.getPrototypeOf(o)) {
    const descriptor = Object.getOwnPropertyDescriptor(o, property);
    if (descriptor) return 'value' in descriptor;
  }
  return false;
}
