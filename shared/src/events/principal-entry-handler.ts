import type { Logger } from '../logger/logger.ts';
import type { PrincipalEventStream, StreamEntry } from './principal-event-stream.ts';
import { type PrincipalEvent, parsePrincipalEvent } from './principal-events.ts';

/** Handles stream entries in order, acknowledging each once handled; false when one failed (it stays pending). */
export type PrincipalEntryHandler = (entries: StreamEntry[]) => Promise<boolean>;

/**
 * Entries of an unknown shape are logged and acknowledged (a newer producer's events); a failing
 * handler stops the batch, logged, and its entry stays pending for a retry.
 */
export function createPrincipalEntryHandler(deps: {
  stream: Pick<PrincipalEventStream, 'acknowledge'>;
  handle(event: PrincipalEvent, entryId: string): Promise<void>;
  logger: Logger;
}): PrincipalEntryHandler {
  const { stream, logger } = deps;
  return async function handleEntries(entries) {
    for (const [id, fields] of entries) {
      const event = parsePrincipalEvent(fields);
      if (!event) {
        if (fields) logger.warn({ entryId: id }, 'principal events: skipping an entry of unknown shape');
      } else {
        try {
          await deps.handle(event, id);
        } catch (err) {
          logger.error(
            { err, entryId: id, type: event.type },
            'principal events: handling failed; will retry',
          );
          return false;
        }
      }
      await stream.acknowledge(id);
    }
    return true;
  };
}
