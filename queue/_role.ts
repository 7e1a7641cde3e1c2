// Copyright 2026 the threadkit authors. MIT license.
// The role words of the numeric ring's single-side modes (_solo.ts, whose
// header has the role word states): taking a role, and giving it back at
// the holder's own stop.
import { atStop } from "../_core/at_stop.ts";
import { RoleError } from "../_core/errors.ts";
import { identIssued } from "../sync/_holder.ts";
import { corruptWord } from "./_corrupt.ts";
import { holderDead } from "./_decoding.ts";
import { WRITER } from "./_layout.ts";

/**
 * Makes the calling thread (`id`) the holder of role word `slot` (WRITER or
 * READER): takes a free role or one whose thread has stopped, else throws
 * RoleError (see the file header). Slow path: a role check that failed.
 */
export function takeRole(h: Int32Array, slot: number, id: number): void {
  const role = slot === WRITER ? "writer" : "reader";
  for (;;) {
    const r = Atomics.load(h, slot);
    if (r === id) return;
    if (r !== 0) {
      if (!identIssued(r)) throw corruptWord(role.toUpperCase(), r);
      if (!holderDead(r)) {
        throw new RoleError(
          `Cannot ${
            role === "writer" ? "put to" : "get from"
          } queue: it has a single ${role}, thread ${r}, and this is thread ${id} (the role passes on once thread ${r} has stopped)`,
          role,
          r,
        );
      }
    }
    if (Atomics.compareExchange(h, slot, r, id) === r) {
      return keepRole(h, slot, id);
    }
  }
}

// A role this thread took is given back (CAS id -> 0) just before it records
// its own stop (_core/at_stop.ts), so the role passes on however many stops
// the stop ring has seen since. Only while this handle's view lives: a
// queue whose handle was collected may have been freed (its block reused),
// and a role kept through another handle of this thread is then left to
// the stop ring, as is a stop seen from outside (a worker that exited).
function keepRole(h: Int32Array, slot: number, id: number): void {
  const ref = new WeakRef(h);
  const off = atStop(() => {
    const v = ref.deref();
    if (v !== undefined) Atomics.compareExchange(v, slot, id, 0);
  });
  forget.register(h, off);
}

const forget = new FinalizationRegistry<() => void>((off) => off());
