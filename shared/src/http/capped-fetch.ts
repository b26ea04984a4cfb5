import { OutboundFetchError } from '../errors/errors.ts';

export interface CappedFetchOptions {
  /** Largest response body accepted, in bytes (default 1 MiB). */
  maxBytes?: number;
  /** Longest time for the whole exchange, body included (default 10 s). */
  timeoutMs?: number;
  /** Called with the body bytes read by each exchange, accepted or not (for tests and metrics). */
  onBytesRead?: (bytes: number) => void;
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch` for every outbound request of ours: the body is read as a stream and the exchange
 * aborts with `OutboundFetchError` as soon as it passes `maxBytes` (a declared Content-Length
 * over the cap is refused before reading) or `timeoutMs`. The answer is a complete, buffered
 * `Response`, so a hostile or broken server costs at most `maxBytes` of memory. Any other failure
 * of the exchange (refused, reset, unresolvable) is an `OutboundFetchError` too
 * (`ERR_OUTBOUND_UNREACHABLE`, the original error as `cause`), so callers classify by code. An
 * abort from the caller's own `signal` keeps its original error (libraries such as jose recognise it).
 * Redirects are not followed unless the caller asks (`redirect: 'follow'`): a 3xx is the answer,
 * so a fetch of ours never lands somewhere its caller did not name.
 */
export function createCappedFetch(options: CappedFetchOptions = {}): typeof fetch {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 10_000;

  return async function cappedFetch(input, init = {}) {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    let read = 0;
    /** Our own verdict on a failed exchange; the caller's own abort keeps its original error. */
    const failed = (err: unknown) => {
      if (err instanceof OutboundFetchError || init.signal?.aborted) return err;
      if (deadline.aborted)
        return new OutboundFetchError(
          'ERR_OUTBOUND_TIMEOUT',
          `no complete answer within ${timeoutMs} ms`,
          read,
          {
            cause: err,
          },
        );
      return new OutboundFetchError('ERR_OUTBOUND_UNREACHABLE', 'the exchange failed on the way', read, {
        cause: err,
      });
    };
    const tooLarge = () =>
      new OutboundFetchError('ERR_OUTBOUND_TOO_LARGE', `the answer is larger than ${maxBytes} bytes`, read);

    try {
      const res = await fetch(input, { ...init, redirect: init.redirect ?? 'manual', signal });
      const declared = Number(res.headers.get('content-length'));
      if (Number.isFinite(declared) && declared > maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw tooLarge();
      }
      const chunks: Uint8Array[] = [];
      if (res.body) {
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          read += value.byteLength;
          if (read > maxBytes) {
            await reader.cancel().catch(() => undefined);
            throw tooLarge();
          }
          chunks.push(value);
        }
      }
      const body = NULL_BODY.has(res.status) ? null : Buffer.concat(chunks);
      const copy = new Response(body, {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      });
      Object.defineProperty(copy, 'url', { value: res.url });
      return copy;
    } catch (err) {
      throw failed(err);
    } finally {
      options.onBytesRead?.(read);
    }
  };
}
