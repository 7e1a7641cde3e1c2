// Copyright 2026 the threadkit authors. MIT license.
// QueueBase's `for await` (_core.ts): the ready items without a promise
// hop, then getAsync (_get.ts) for each wait.

import { BUSY, EMPTY, NO_WAIT } from "./_layout.ts";
import { afterGet, noCodec, type QueueState } from "./_state.ts";
import { QueueShutDownError } from "./errors.ts";

// `for await` yields a macrotask every this-many ready items (timers, I/O).
const YIELD_EVERY = 4096;

/**
 * QueueBase's `for await`: yields items as `getAsync` returns them, until
 * the queue is shut down and empty; ready items are taken without a promise
 * hop (one macrotask every YIELD_EVERY of them). Waiting never blocks the
 * event loop.
 */
export async function* iterate<T>(
  st: QueueState,
  getAsync: () => Promise<T>,
): AsyncGenerator<T, void, undefined> {
  let ready = 0;
  if (st.noCodec) throw noCodec();
  for (;;) {
    let item: T;
    const x = st.store.tryGet(st.decode, NO_WAIT);
    if (x !== EMPTY && x !== BUSY) {
      if (st.store.wakes !== true) afterGet(st, 1); // (_get.ts took)
      item = x as T;
      if (++ready === YIELD_EVERY) {
        ready = 0;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    } else {
      ready = 0;
      try {
        item = await getAsync();
      } catch (error) {
        if (error instanceof QueueShutDownError) return;
        throw error;
      }
    }
    yield item;
  }
}
