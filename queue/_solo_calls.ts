// Copyright 2026 the threadkit authors. MIT license.
// The put (get) of a queue handle with a single writer (reader): an own
// property of the handle (soloCalls, from QueueBase's constructor), a
// closure over the handle's state, ring and exact-value check, that runs
// QueueBase.put's (get's) steps with a call of the ring's tryPut (tryGet)
// of its own. Why (queue/_solo.ts, "The call sites"): QueueBase's one call
// site is shared by every queue a thread uses, and with a default and a
// single-side queue it is polymorphic, which V8 15 (Deno 2.9) may not
// inline (each target counts its bytecode plus what its own optimised code
// inlined: Ring.tryPut 339 + 396, Ring.tryGet 211 + 508). Here each site
// sees SoloRing only, QueueBase's sees Ring only, and a caller's q.put
// (q.get) sees one function literal per kind of handle (a closure per
// handle: V8's call feedback then holds the literal's feedback cell, and
// inlining checks that cell). The closure holds the ring and the check
// where QueueBase's put reads them from the handle's state each call (a
// private-field load, then two fields), which cost a put + get about a
// quarter of its CPU on one thread (BENCHMARKS.md, int32 rows). A subclass
// that overrides put (get) keeps its override; a spy set on
// Queue.prototype.put (get) does not see these handles' calls. No shared
// memory is touched here: the ring's arguments (queue/_solo.ts) are those
// of the calls made.
import { putKept } from "./_accept.ts";
import { getOne } from "./_get.ts";
import { type QueueOptions, queueOptions } from "./_init.ts";
import { EMPTY } from "./_layout.ts";
import type { QueueState } from "./_state.ts";

/**
 * Gives handle `q` (state `st`, whose ring is a SoloRing with `sides`: 1 a
 * single writer, 2 a single reader) its own put and get, unless its class
 * overrides QueueBase's.
 */
export function soloCalls(
  q: { put: unknown; get: unknown },
  st: QueueState,
  sides: number,
  base: { put: unknown; get: unknown },
): void {
  const own = { writable: true, configurable: true };
  const ring = st.ring!;
  if ((sides & 1) !== 0 && q.put === base.put) {
    const exact = st.info!.exact;
    const put = function (item: unknown, options?: QueueOptions): void {
      if (options === undefined && exact(item) && ring.tryPut(item) > 0) {
        return;
      }
      putKept(st, item, queueOptions(options));
    };
    Object.defineProperty(q, "put", { ...own, value: put });
  }
  if ((sides & 2) !== 0 && q.get === base.get) {
    const get = function (options?: QueueOptions): unknown {
      if (options === undefined) {
        const x = ring.tryGet();
        if (typeof x === "number" || x !== EMPTY) return x; // as QueueBase.get
      }
      return getOne(st, queueOptions(options));
    };
    Object.defineProperty(q, "get", { ...own, value: get });
  }
}
