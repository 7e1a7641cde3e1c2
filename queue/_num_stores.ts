// Copyright 2026 the threadkit authors. MIT license.
// The numeric stores under the queue's Lock (LockedStore, _locked.ts):
// LIFO and heap of numbers, in the typed array of the queue's item type
// (no codec: a get copies a number and drops it).

import { LockedStore } from "./_locked.ts";
import {
  HEADER_BYTES,
  type NumericArray,
  type NumericInfo,
} from "./_layout.ts";

/** Numeric LIFO: DATA[0 .. COUNT) with the top at COUNT - 1. */
export class NumStack extends LockedStore {
  readonly #data: NumericArray;
  constructor(h: Int32Array, info: NumericInfo) {
    super(h);
    this.#data = new info.Array(
      h.buffer as SharedArrayBuffer,
      h.byteOffset + HEADER_BYTES,
      this.cap,
    );
  }
  static bytes(info: NumericInfo, capacity: number): number {
    return capacity * info.Array.BYTES_PER_ELEMENT;
  }
  protected fits(): boolean {
    return true;
  }
  protected push(x: unknown, count: number): void {
    (this.#data as unknown as unknown[])[count] = x;
  }
  protected peek(count: number): unknown {
    return this.#data[count - 1];
  }
  protected drop(): void {}
}

/** Numeric min-heap: DATA[0 .. COUNT) in heap order. */
export class NumHeap extends LockedStore {
  readonly #data: unknown[];
  constructor(h: Int32Array, info: NumericInfo) {
    super(h);
    this.#data = new info.Array(
      h.buffer as SharedArrayBuffer,
      h.byteOffset + HEADER_BYTES,
      this.cap,
    ) as never;
  }
  static bytes(info: NumericInfo, capacity: number): number {
    return capacity * info.Array.BYTES_PER_ELEMENT;
  }
  protected fits(): boolean {
    return true;
  }
  protected push(x: unknown, count: number): void {
    const d = this.#data;
    let i = count;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!((x as number) < (d[parent] as number))) break;
      d[i] = d[parent];
      i = parent;
    }
    d[i] = x;
  }
  protected peek(): unknown {
    return this.#data[0];
  }
  protected drop(count: number): void {
    const d = this.#data;
    const last = d[count - 1] as number;
    const n = count - 1;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (d[c + 1] as number) < (d[c] as number)) c++;
      if (!((d[c] as number) < last)) break;
      d[i] = d[c];
      i = c;
    }
    if (n > 0) d[i] = last;
  }
}
