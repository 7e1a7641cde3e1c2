// Copyright 2026 the threadkit authors. MIT license.
// How a thread names an executor's shared buffers in its slots (the
// interface _layout.ts's Block holds; _shared.ts implements it).

import type { SharedNames } from "../queue/_shared_names.ts";

/** Names for one encode, and the registered ids it holds. */
export interface EncodeNames extends SharedNames {
  readonly held: number[];
}

/** How one thread names an executor's shared buffers (Block.shared). */
export interface SharedSide {
  /** Names for one encode (a task's args, or its result). */
  names(): EncodeNames;
  /** The buffer of number `id` (a decode). */
  buffer(id: number): SharedArrayBuffer;
  /** Gives back what an encode's names held. */
  release(held: readonly number[]): void;
}
