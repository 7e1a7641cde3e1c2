// Copyright 2026 the threadkit authors. MIT license.
// QueueBase.getAsync with `block: false` whose first try found the
// consumer turn held by a thread that copies: it waits for that holder as a
// nowait call does (IDLE_GRACE ms at most), but off the event loop
// (_held_turn.ts retryHeld), then goes on as getAsync does.

import type { Acquire } from "../_core/wait.ts";
import { getSlowAsync } from "./_get.ts";
import { retryHeld } from "./_held_turn.ts";
import { BUSY, EMPTY, NO_WAIT } from "./_layout.ts";
import { afterGet, busyGet, type QueueState } from "./_state.ts";

/** The item, or getAsync's rejection (see the file header). */
export async function getHeldNowait(
  st: QueueState,
  o: Acquire,
): Promise<unknown> {
  const x = await retryHeld(
    st,
    false,
    o,
    BUSY as unknown,
    () => st.store.tryGet(st.decode, NO_WAIT),
  );
  if (x === BUSY) throw busyGet(o);
  if (x === EMPTY) return await getSlowAsync(st, o); // its nowait reports
  if (st.store.wakes !== true) afterGet(st, 1); // (_get.ts took)
  return x;
}
