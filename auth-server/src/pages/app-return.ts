import type { Provider } from 'oidc-provider';
import { ANONYMOUS_MARK } from '../clients/anonymous-registration-policy.ts';
import type { ClientRegistry } from '../clients/client-registry.ts';

/**
 * The app's authorization request a person left to sign up, confirm their address or reset their
 * password: its interaction (the sign-in step they return to) and its client. Carried in links and
 * forms as `interaction` and `client_id`, never trusted: the interaction is looked up, and the
 * client only names a registered app and its registered address when the interaction is gone.
 */
export interface AppReturn {
  uid: string;
  clientId: string;
}

/** Where the person goes back to the app, as the page shows it. */
export type AppDestination =
  /** The sign-in step still waits: continue there (in the browser that started it). */
  | { live: true; href: string; appName: string }
  /** It expired: say so, and link to the app's own address when it registered an https one. */
  | { live: false; appName?: string; appHref?: string };

/** An interaction id as oidc-provider makes them (nanoid), nothing that could leave the path. */
const UID = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether `value` can be an interaction id (checked before one is looked up or put in a path). */
export function isInteractionUid(value: unknown): value is string {
  return typeof value === 'string' && UID.test(value);
}
const MAX_CLIENT_ID = 512;

/** The return a query or form names, if it is well-formed. */
export function appReturnFrom(source: Record<string, unknown>): AppReturn | undefined {
  const { interaction: uid, client_id: clientId } = source;
  if (!isInteractionUid(uid)) return undefined;
  if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > MAX_CLIENT_ID) {
    return undefined;
  }
  return { uid, clientId };
}

/** The return as query parameters of a link (`interaction`, `client_id`); none without one. */
export function appReturnParams(appReturn: AppReturn | undefined): Record<string, string> {
  return appReturn ? { interaction: appReturn.uid, client_id: appReturn.clientId } : {};
}

/** `path` with the return's parameters, for links between the pages of one flow. */
export function withAppReturn(path: string, appReturn: AppReturn | undefined): string {
  return appReturn ? `${path}?${new URLSearchParams(appReturnParams(appReturn))}` : path;
}

type AppClient = { clientName?: string; clientUri?: string; redirectUris?: string[] };

/** The app's own https address: its registered home page, else the origin of its first redirect. */
function appAddress(client: AppClient): string | undefined {
  const candidates = [client.clientUri, ...(client.redirectUris ?? []).map((uri) => originOf(uri))];
  return candidates.find((uri): uri is string => typeof uri === 'string' && /^https:\/\//i.test(uri));
}

function originOf(uri: string): string | undefined {
  try {
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
}

/** Finds the app behind a return, from the interaction while it lives. */
export function createAppReturns(provider: Provider, clients: Pick<ClientRegistry, 'ownerOf'>) {
  const clientOf = async (clientId: string) =>
    (await provider.Client.find(clientId).catch(() => undefined)) as AppClient | undefined;
  /**
   * Once the request is gone, the client is only what a link says, and anyone can mail a link
   * with their own token and any client: only an app the operator registered is named and linked
   * then, never one a developer or the app itself registered (its name and address are theirs).
   */
  const operatorsApp = async (clientId: string, client: AppClient | undefined) =>
    client !== undefined &&
    (client as { [ANONYMOUS_MARK]?: boolean })[ANONYMOUS_MARK] !== true &&
    (await clients.ownerOf(clientId)) === undefined;
  return {
    /**
     * The return of a page reached from the sign-in step `uid`: its client as the interaction
     * records it (not as a link says). Undefined once it expired.
     */
    async started(uid: unknown): Promise<AppReturn | undefined> {
      if (!isInteractionUid(uid)) return undefined;
      const interaction = await provider.Interaction.find(uid);
      const clientId = interaction?.params.client_id;
      return typeof clientId === 'string' ? { uid, clientId } : undefined;
    },
    /** The app's registered name, for "to continue to …". */
    async appName(appReturn: AppReturn): Promise<string> {
      return (await clientOf(appReturn.clientId))?.clientName ?? 'the app';
    },
    /** Where the person goes back to the app at the end of the flow. */
    async destination(appReturn: AppReturn): Promise<AppDestination> {
      const live = await this.started(appReturn.uid);
      if (live) {
        const appName = (await clientOf(live.clientId))?.clientName ?? 'the app';
        return { live: true, href: `/interaction/${live.uid}`, appName };
      }
      // An id that is a URL (a metadata document) would make us fetch what any link names.
      const clientId = /^https?:/i.test(appReturn.clientId) ? undefined : appReturn.clientId;
      const client = clientId === undefined ? undefined : await clientOf(clientId);
      if (clientId === undefined || !(await operatorsApp(clientId, client))) return { live: false };
      const appName = client?.clientName;
      const appHref = client ? appAddress(client) : undefined;
      return { live: false, ...(appName ? { appName } : {}), ...(appHref ? { appHref } : {}) };
    },
  };
}

export type AppReturns = ReturnType<typeof createAppReturns>;

/** The message page at the end of a flow: what was done, and the way back to the app. */
export function backToApp(destination: AppDestination, title: string, done: string) {
  if (destination.live) {
    return {
      title,
      message: `${done} Sign in to continue to ${destination.appName}.`,
      link: { href: destination.href, text: `Continue to ${destination.appName}` },
    };
  }
  const app = destination.appName ?? 'the app';
  return {
    title,
    message: `${done} The sign-in you started at ${app} has expired: go back to ${app} and sign in again.`,
    ...(destination.appHref ? { link: { href: destination.appHref, text: `Back to ${app}` } } : {}),
  };
}
