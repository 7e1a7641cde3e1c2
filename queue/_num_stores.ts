// Copyright 2026 the threadkit authors. MIT license.
// The numeric stores under the queue's Lock (LockedStore, _locked.ts):
// LIFO and heap of numbers, in the typed array of the queue's item type
// (no codec: a get copies a number and drops it). Bounded: the array
// follows the header; unbounded: it is the data block, which grows
// (_grow.ts), and `map` remakes it (a new view, the items copied, then
// the field set: a throw leaves the old view).

import { LockedStore } from "./_locked.ts";
import type { NumericArray, NumericInfo } from "./_layout.ts";

abstract class NumStore extends LockedStore {
  protected data: NumericArray;
  readonly #info: NumericInfo;
  constructor(h: Int32Array, info: NumericInfo) {
    super(h);
    this.#info = info;
    this.data = this.#view(this.base, this.slots);
  }
  #view(base: number, slots: number): NumericArray {
    return new this.#info.Array(
      this.h.buffer as SharedArrayBuffer,
      base,
      slots,
    );
  }
  protected override map(base: number, slots: number, count: number): void {
    const data = this.#view(base, slots);
    if (count > 0) data.set(this.data.subarray(0, count) as never);
    this.data = data;
  }
  protected fits(): boolean {
    return true;
  }
  protected peekMany(): unknown[] {
    throw new TypeError("internal: this store has no custom codec");
  }
  protected dropMany(): void {
    throw new TypeError("internal: this store has no custom codec");
  }
}

/** Numeric LIFO: DATA[0 .. COUNT) with the top at COUNT - 1. */
export class NumStack extends NumStore {
  protected push(x: unknown, count: number): void {
    (this.data as unknown as unknown[])[count] = x;
  }
  protected peek(count: number): unknown {
    return this.data[count - 1];
  }
  protected drop(): void {}
}

/** Numeric min-heap: DATA[0 .. COUNT) in heap order. */
export class NumHeap extends NumStore {
  protected push(x: unknown, count: number): void {
    const d = this.data as unknown as unknown[];
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
    return this.data[0];
  }
  protected drop(count: number): void {
    const d = this.data as unknown as number[];
    const last = d[count - 1];
    const n = count - 1;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && d[c + 1] < d[c]) c++;
      if (!(d[c] < last)) break;
      d[i] = d[c];
      i = c;
    }
    if (n > 0) d[i] = last;
  }
}
