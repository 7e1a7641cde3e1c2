// Copyright 2026 the threadkit authors. MIT license.
// Module target for the unbounded queue's owner-death tests: takes the
// chain's LOCK (word 0 of its header), leaves the chain as a grow or a
// shutdown that stopped halfway would, and fails holding LOCK.
import { Chain } from "../../queue/_chain.ts";
import { lockAt } from "../../sync/_lock_at.ts";

/** "hold": LOCK only; "retired": segment 0 retired, no successor; "shut": SHUT written, no segment shut down. */
export function dieHoldingChain(
  buffer: SharedArrayBuffer,
  byteOffset: number,
  how: "hold" | "retired" | "shut",
): never {
  const chain = new Chain<number>(undefined, { buffer, byteOffset });
  lockAt(buffer, byteOffset).acquire();
  if (how === "retired") chain.segment(0).shutdown();
  if (how === "shut") Atomics.store(chain.h, 4, 1); // SHUT
  throw new RangeError("died holding the chain's lock");
}
