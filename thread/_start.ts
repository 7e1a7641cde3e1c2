// Copyright 2026 the threadkit authors. MIT license.
// Thread.start's steps (thread/thread.ts): encode the args, reserve a table
// entry, start the worker with the start message (thread/_worker.ts reads
// it). A start that fails leaves nothing behind: no reserved entry, no open
// port (startWorker closes a channel it made), and the args' heap references given back (_core/claim.ts), unless
// the new thread took them.

import { startWorker, type WorkerEvents } from "../_core/adapter.ts";
import { claimWord, giveUpClaim } from "../_core/claim.ts";
import { blockAlloc, blockRelease, isBlock } from "../_core/heap.ts";
import { GONE, type NameStore, newerSeq, renameName } from "../_core/names.ts";
import { OWED, roomForPorts, settleOwed } from "../_core/overflow.ts";
import { probes, RUNTIME } from "../_core/host.ts";
import { blockingMainStdio } from "./_stdio.ts";
import { reserveEntry, runtime, tidIndex } from "../_core/runtime.ts";
import { wireTarget } from "../_core/target.ts";
import { closePorts, movePorts, portsIn } from "../_core/ports.ts";
import type { ThreadStart } from "../_core/thread_start.ts";
import {
  encodeTransfer,
  refusedProxy,
  transferMarked,
} from "../_core/transfer.ts";
import { argsRefused, sendable } from "./_types.ts";

// The process's main thread's stdout and stderr made blocking before any
// thread can write (thread/_stdio.ts, "The main thread's side"): Node only.
if (RUNTIME === "node") blockingMainStdio();

/** What a started thread's handle keeps. */
export interface Started {
  readonly ident: number;
  readonly entry: number;
  /**
   * NAME_SEQ of its name at the reservation: the thread carries its final
   * name with its outcome when it was renamed since (_core/names.ts).
   */
  readonly nameSeq: number;
  /** The port the thread posts its outcome on. */
  readonly port: MessagePort;
  /** A watcher's report port (resourceLimits). */
  readonly report: MessagePort | undefined;
  /** The block where a small result may come (a spare's, or its own). */
  readonly block: Int32Array | undefined;
  /**
   * Gives the args' heap references back unless the thread took them: for
   * a start reported failed afterwards (the worker's "error" or "exit").
   */
  readonly giveUp: () => void;
}

/**
 * Where a name longer than the thread table's field goes, whole: a heap
 * block the entry owns (_core/names.ts says when it is freed). Also for
 * renames (thread.ts).
 */
export const names: NameStore = {
  alloc: (bytes) => blockAlloc(bytes),
  release: (at) => isBlock(at) && blockRelease(at),
};

/**
 * A handle's name and the NAME_SEQ value it was written at (_core/names.ts,
 * "Final names"): undefined when not known, Infinity for a rename through
 * the handle that found the entry gone (newer than any the thread sends).
 */
export interface HeldName {
  readonly name: string;
  readonly seq?: number;
}

/** `n` (read in the entry, or sent with the outcome) if newer than `held`. */
export function newerName(held: HeldName, n?: HeldName): HeldName {
  return n?.seq !== undefined && newerSeq(n.seq, held.seq) ? n : held;
}

/** Renames the thread `ident` (once started) in the table: its NAME_SEQ. */
export function renamed(
  entry: number,
  ident: number | undefined,
  name: string,
): number | undefined {
  if (ident === undefined) return undefined;
  const base = tidIndex(entry); // the entry's first slot (names.ts)
  const seq = renameName(runtime().view, base, ident, name, names);
  // Infinity: after the thread's end; undefined: not written (held = unknown).
  return seq === GONE ? Infinity : seq;
}

/** Starts a thread (see the top of this file). */
export function startThread(
  name: string,
  daemon: boolean,
  target: Parameters<typeof wireTarget>[0],
  userArgs: unknown[],
  limits: Record<string, number> | undefined,
  events: WorkerEvents,
): Started {
  // One probe for room a start (_core/host.ts probes): counted from here
  // to the finally, which only reads and stores properties.
  probes.starting++;
  try {
    // What earlier starts stopped by an overflow still owe (_core/overflow.ts),
    // from this frame, before this start takes anything.
    if (OWED.length > 0) settleOwed();
    const { view } = runtime();
    let args: unknown;
    // The entry first: the args' encode is for this start (an executor in
    // them makes its channels for this thread, _core/thread_start.ts).
    const reserved = reserveEntry(name, daemon, names);
    // From here every step may throw (a stack overflow near the stack's end,
    // in any call): the catches give the entry back with builtins only (a
    // compareExchange from our ident on the TID word reserveEntry named,
    // which cannot overflow), then the rest, which takes calls, through
    // giveBack (owed when it overflows in turn).
    const start: ThreadStart = {
      ident: reserved.ident,
      entry: reserved.entry,
      undo: [],
    };
    let claim: Int32Array | undefined;
    let ports: MessagePort[] | undefined;
    let encoded = false;
    try {
      try {
        args = encodeTransfer(userArgs, start); // each arg read once (transfer.ts)
        encoded = true;
      } catch (cause) {
        // A getter's own error goes as it is (as from a queue put).
        throw refusedProxy(cause) ? argsRefused(name, cause) : cause;
      }
      claim = transferMarked ? claimWord() : undefined;
      // Checked before the worker starts. A MessagePort fails the trial
      // clone: such args are moved instead, which checks them (ports.ts),
      // after the entry is reserved (a full table leaves the caller's ports
      // as they were); other args pay no walk for ports.
      let held: MessagePort[] = [];
      try {
        sendable(name, args);
      } catch (error) {
        held = portsIn(args, name);
        if (held.length === 0) throw error;
      }
      if (held.length > 0) {
        roomForPorts(); // _core/overflow.ts
        ({ args, ports } = movePorts(name, args, held));
      }
      const record = {
        runtime: runtime().buffer,
        ident: reserved.ident,
        entry: reserved.entry,
        nameSeq: reserved.nameSeq,
        target: wireTarget(target),
        args,
        // Only for args with primitives or escaped keys (transferMarked):
        // the worker decodes them then.
        claim,
        limited: limits !== undefined,
        ...ports && { ports },
      };
      // The result port: a fresh channel's, or a spare's own (startWorker
      // closes a channel it made when it throws). It throws only before the
      // thread can run (its commit is its last step).
      const { port, report, block } = startWorker(
        record,
        daemon,
        name,
        events,
        limits,
      );
      return {
        ident: reserved.ident,
        entry: reserved.entry,
        nameSeq: reserved.nameSeq,
        port,
        report,
        block,
        giveUp: () => giveUpClaim(claim, args),
      };
    } catch (error) {
      // The entry back first, no call (see above). Why no lost wakeup: no
      // handle waits on it yet (start() has not returned); the notify in
      // giveBack wakes any that found the ident by enumerate.
      Atomics.compareExchange(view, reserved.tid, reserved.ident, 0);
      const steps = start.undo, moved = ports;
      const give = encoded ? args : undefined, word = claim;
      const giveBack = () => {
        Atomics.notify(view, reserved.tid);
        for (let i = 0; i < steps.length; i++) steps[i]();
        closePorts(moved);
        if (give !== undefined) giveUpClaim(word, give);
      };
      try {
        giveBack();
      } catch {
        OWED[OWED.length] = giveBack;
      }
      throw error;
    }
  } finally {
    if (--probes.starting === 0) probes.full = false;
  }
}
