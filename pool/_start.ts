// Copyright 2026 the threadkit authors. MIT license.
// Starting a pool thread on a claimed record (home only): replenish's
// start (_pool.ts), and a stale thread's replacement (_stale.ts). The
// start args carry home's whole table of registered buffers and, through
// HomeMesh.beforeStart (_mesh.ts: GEN + 1, DRAIN 0, a { thread } post to
// every holder), each holder's channel and table, so a replacement gets
// what the thread it replaces was given too.

import { TO_DESCRIPTOR } from "../_core/transfer.ts";
import type { Queue } from "../queue/bounded.ts";
import { moduleTarget, Thread } from "../thread/thread.ts";
import {
  type Block,
  NAMES,
  R_ENTRY,
  R_IDENT,
  R_INIT,
  R_PARK,
  R_TAKE,
} from "./_layout.ts";
import { takeEmpty, takeIsHeld } from "./_names.ts";
import { ownValue } from "./_park.ts";
import { clearPark } from "./_take.ts";
import { giveBack } from "./_stale.ts";
import type { SubmitShared } from "./_shared.ts";
import type { PoolThreadArgs } from "./_thread.ts";
import type { WireTarget } from "../_core/target.ts";
import type { ResourceLimits } from "../thread/_types.ts";

// The pool thread's loop (pool/_thread.ts), by the internal specifier the
// worker entry imports statically (bundlers follow it; no module URL).
const POOL_THREAD = "threadkit:pool";

/** What a pool thread needs besides the block: travels with the executor. */
export interface Settings {
  readonly init: WireTarget | null;
  /** initArgs, transfer-encoded. */
  readonly initArgs: unknown;
  readonly idleMs: number;
  readonly prefix: string;
  readonly limits: ResourceLimits | undefined;
}

/** What a start needs of home's Pool. */
export interface Starter {
  readonly b: Block;
  readonly tasks: Queue<number>;
  readonly free: Queue<number>;
  readonly s: Settings;
  readonly shared: SubmitShared;
  /** Home's Started (_started.ts). */
  readonly started: { add(t: Thread, b: Block, w: number): void };
}

/**
 * Starts a pool thread on record `w`, claimed (claim()). False when the
 * start failed: the record is free again (the task stays queued; the
 * owner's next scan tries again).
 */
export function startOn(p: Starter, w: number): boolean {
  const b = p.b, { v } = b, rec = b.record(w);
  // One per start: the thread's own PARK value (_park.ts "PARK word"),
  // stored while the record reads -1 (no reclaim, no other start, and no
  // thread's park CAS matches it) and before the thread runs.
  const n = Atomics.add(v, NAMES, 1);
  clearPark(b, p.tasks, p.free, rec);
  Atomics.store(v, rec + R_PARK, ownValue(n));
  // Its empty R_TAKE value (_names.ts), unless a reclaim holds a name
  // there (takeIsHeld: it returns that index, or, stopped on the way, the
  // taker-over of its TAKER does, _take.ts holdFree): then the record is
  // not started now. A CAS: such a reclaim takes the name by a CAS too.
  for (let was = Atomics.load(v, rec + R_TAKE);;) {
    if (takeIsHeld(b.l.slots, was)) {
      giveBack(v, rec);
      return false;
    }
    const to = takeEmpty(b.l.slots, ownValue(n));
    const r = Atomics.compareExchange(v, rec + R_TAKE, was, to);
    if (r === was) break;
    was = r;
  }
  // Its initializer has not returned (_layout.ts INIT): this start's own
  // value, before the thread runs; the thread's CAS from it stores 1 once
  // it has (a thread of an earlier start, declared dead, cannot match it).
  Atomics.store(v, rec + R_INIT, ownValue(n));
  try {
    const [initArgs, shared] = p.shared.startArgs(w);
    const args: PoolThreadArgs = [
      b.buffer,
      p.tasks,
      p.free,
      w,
      p.s.init,
      initArgs,
      p.s.idleMs,
      shared,
      ownValue(n),
    ];
    const t = new Thread({
      target: moduleTarget(POOL_THREAD, "poolThread"),
      args,
      name: `${p.s.prefix}_${n}`,
      daemon: true,
      ...(p.s.limits ? { resourceLimits: p.s.limits } : {}),
    } as never);
    t.start();
    p.started.add(t, b, w);
    const info = t[TO_DESCRIPTOR]().extra as { entry: number };
    v[rec + R_ENTRY] = info.entry;
    Atomics.store(v, rec + R_IDENT, t.ident!);
    return true;
  } catch (error) {
    giveBack(v, rec);
    console.error(`Cannot start a pool thread for ${p.s.prefix}:`, error);
    return false;
  }
}
