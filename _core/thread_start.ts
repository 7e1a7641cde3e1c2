// Copyright 2026 the threadkit authors. MIT license.
// The Thread start a descriptor is made for. thread/_start.ts reserves the
// new thread's table entry before it encodes the args, and encodeTransfer
// hands this record to each primitive's [TO_DESCRIPTOR] in that walk only
// (never in a queue item, a task's args, initArgs or a result, which are
// encoded by other walks, or by encodeTransfer without a start). An
// executor uses it to make the channels a thread that submits with its own
// shared memory needs (pool/_mesh.ts); other primitives ignore it.

/** A Thread start under way (thread/_start.ts). */
export interface ThreadStart {
  /** The new thread's ident. */
  readonly ident: number;
  /** Its thread-table entry (reserved: alive until the start fails). */
  readonly entry: number;
  /** Run, in order, when the start fails before the thread runs. */
  readonly undo: (() => void)[];
}
