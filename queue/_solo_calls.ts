// Copyright 2026 the threadkit authors. MIT license.
// The put and putNowait (get and getNowait) of a queue handle with a
// single writer (reader): own properties of the handle (soloCalls, from
// QueueBase's constructor), closures over the handle's state, ring and
// exact-value check, that run QueueBase's steps with a call of the ring's
// tryPut (tryGet) of their own. Why (queue/_solo.ts, "The call sites"):
// QueueBase's one call site is shared by every queue a thread uses, and
// with a default and a single-side queue it is polymorphic, which V8 15
// (Deno 2.9) may not inline (each target counts its bytecode plus what its
// own optimised code inlined: Ring.tryPut 339 + 396, Ring.tryGet 211 +
// 508). Here each site sees SoloRing only, QueueBase's sees Ring only, and
// a caller's q.put (q.get...) sees one function literal per kind of handle
// (a closure per handle: V8's call feedback then holds the literal's
// feedback cell, and inlining checks that cell). A closure holds the ring
// and the check where QueueBase's methods read them from the handle's state
// each call (a private-field load, then two fields; on one thread 1.09-1.24x
// put + get, BENCHMARKS.md, int32 rows). A subclass that overrides a method
// keeps its override; a spy set on Queue.prototype.put (...) does not see
// these handles' calls. No shared memory is touched here: the ring's
// arguments (queue/_solo.ts) are those of the calls made. The closures
// ignore `this`: `const { put } = q; put(1)` puts to q (on a default handle
// it throws), and `q2.put.call(q1, x)` puts to q2.
import { putKept } from "./_accept.ts";
import { getOne } from "./_get.ts";
import { NOWAIT, type QueueOptions, queueOptions } from "./_init.ts";
import { EMPTY } from "./_layout.ts";
import type { QueueState } from "./_state.ts";

/** The methods soloCalls may give a handle. */
export interface SoloMethods {
  put: unknown;
  putNowait: unknown;
  get: unknown;
  getNowait: unknown;
}

/**
 * Gives handle `q` (state `st`, whose ring is a SoloRing with `sides`: 1 a
 * single writer, 2 a single reader) its own put and putNowait (get and
 * getNowait), each unless its class overrides QueueBase's (`base`).
 */
export function soloCalls(
  q: SoloMethods,
  st: QueueState,
  sides: number,
  base: SoloMethods,
): void {
  const ring = st.ring!;
  if ((sides & 1) !== 0) {
    const exact = st.info!.exact;
    own(q, base, "put", function (item: unknown, options?: QueueOptions) {
      if (options === undefined && exact(item) && ring.tryPut(item) > 0) {
        return;
      }
      putKept(st, item, queueOptions(options));
    });
    own(q, base, "putNowait", function (item: unknown) {
      if (exact(item) && ring.tryPut(item, NOWAIT) > 0) return; // as put
      putKept(st, item, NOWAIT);
    });
  }
  if ((sides & 2) !== 0) {
    own(q, base, "get", function (options?: QueueOptions): unknown {
      if (options === undefined) {
        const x = ring.tryGet();
        if (typeof x === "number" || x !== EMPTY) return x; // as QueueBase.get
      }
      return getOne(st, queueOptions(options));
    });
    own(q, base, "getNowait", function (): unknown {
      const x = ring.tryGet();
      if (typeof x === "number" || x !== EMPTY) return x; // as get
      return getOne(st, NOWAIT);
    });
  }
}

// Method `name` of `q` as `f`, an own non-enumerable property, unless q's
// class overrides QueueBase's.
function own(
  q: SoloMethods,
  base: SoloMethods,
  name: keyof SoloMethods,
  f: (...args: never[]) => unknown,
): void {
  if (q[name] !== base[name]) return;
  Object.defineProperty(q, name, {
    value: f,
    writable: true,
    configurable: true,
  });
}
