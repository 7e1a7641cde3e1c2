// Copyright 2026 the threadkit authors. MIT license.
// Undo steps owed by a Thread.start that a stack overflow stopped (a
// RangeError, which any call can throw near the end of the stack).
//
// A start that fails gives back what it took. The table entry is given back
// with builtins only (Atomics on words whose index it computed before the
// risky steps: thread/_start.ts, _core/runtime.ts reserveEntry), which
// throw no overflow; the rest (the args' heap references, moved ports, an
// executor's channels, a taken spare's hold on the process) takes calls,
// which near the stack's end may overflow in turn. Such a step is run at
// once where it fits, else left here (an array store and a closure: no
// call) and run from a shallower frame: at the top of the next start, and
// when the main thread's loop runs dry (_core/lifetime.ts). Each step owed
// may run twice (an overflow after its effect and before its removal):
// every one is idempotent (a claim word, a port close, a channel close, a
// tracked worker).

import { threadState } from "./host.ts";
/**
 * Steps owed (see the top of this file): one list per thread, which every
 * copy of this module in it (the worker bundle's, the package's) shares.
 */
export const OWED: (() => void)[] = threadState(
  "owed",
  (): (() => void)[] => [],
);

/**
 * Runs the owed steps, last first, each removed after it ran. May throw a
 * stack overflow: what is left stays owed.
 */
export function settleOwed(): void {
  while (OWED.length > 0) {
    OWED[OWED.length - 1]();
    OWED.length--;
  }
}

// Room on the stack for a new worker. Constructing a worker or a channel is
// not undoable once begun: near the stack's end Node's MessageChannel and
// Worker constructors overflow after their native ports exist, and the
// half-made port crashes the process when it is closed
// (node:internal/event_target, "reading 'get'"); Deno's Worker constructor
// overflows after its thread exists (its control poll rejects, and the
// worker lives on). So a fresh start first asks for ROOM stack slots: a
// native function (Function.prototype, which ignores its arguments) called
// with that many, which the engine pushes with one stack check for all of
// them (a RangeError before any is pushed): the callee is native, so no
// tier inlines it away (an earlier check called a JavaScript function,
// which an optimising tier may inline, skipping the push). The check throws
// where nothing exists yet; the constructors, listeners and the start
// message's post fit in the room (a sweep with 512 slots over 200
// overflows made no half-made port on Node 20; 8192 is 64 KiB). It costs
// about 16 us a fresh start (Node 20; a start takes milliseconds). A
// spare's hand-over needs no room: it only writes words, its commit last
// (_core/spare.ts handOver).
const ROOM = 8192;
const ROOM_ARGS: number[] = new Array(ROOM).fill(0);
// A Thread's MessagePort args are moved before the worker is made (through
// a channel whose read makes new ports: half made near the stack's end, as
// a channel is) and are the caller's no more: the move asks for half as
// much again, so that the worker's room check after it, one frame deeper,
// cannot refuse the start once the ports are gone.
const PORTS_ARGS: number[] = new Array(ROOM + ROOM / 2).fill(0);
const apply = Reflect.apply, ignore = Function.prototype; // as at load

/** Throws the overflow's RangeError unless ROOM stack slots are free. */
export function roomForWorker(): void {
  apply(ignore, undefined, ROOM_ARGS);
}

/** The same, before a start moves its MessagePort args (see above). */
export function roomForPorts(): void {
  apply(ignore, undefined, PORTS_ARGS);
}
