// Copyright 2026 the threadkit authors. MIT license.
// Room on the stack for a step that must not be stopped halfway by a stack
// overflow (a RangeError, which any call can throw near the end of the
// stack). Thread.start makes a worker and then hands it the thread
// (_core/adapter.ts startWorker): an overflow after the worker exists but
// before it has the thread would leave a worker that nothing ends (on Deno a
// web Worker keeps the process alive), one after the hand-over a thread
// running on an entry its starter gives back. Those steps are calls of a
// bounded depth (the worker's constructor, its listeners, the start
// message's post, the handle's record), so the start first checks that
// there is room for ROOM_ARGS stack slots more than it has: a call with
// that many arguments, which V8 (and JavaScriptCore) refuse with a
// RangeError before they push any when the stack lacks the room. The
// check throws where nothing exists yet; past it the bounded steps fit.
// 8192 slots (64 KiB on a 64-bit stack), about three times what the steps
// need: tests/thread/stack_end_worker_test.ts sweeps the depth over fresh and
// spare starts, and a fresh start left a worker behind with room for 2048
// slots and none from 3072 up (Deno 2.9.6: a web Worker's constructor is
// JavaScript, and its first run loads more). The check costs about 9 µs a
// start (a start takes milliseconds). A start with less room throws the
// RangeError it would have met a little later.

/** Stack slots the check makes room for. */
export const ROOM_ARGS = 8192;

const ARGS: number[] = new Array(ROOM_ARGS).fill(0);
const apply = Reflect.apply; // as at load

function none(): void {}

/**
 * Throws a RangeError (stack overflow) unless the stack has room for
 * ROOM_ARGS more slots below the caller's frame.
 */
export function stackRoom(): void {
  apply(none, undefined, ARGS);
}
