// Copyright 2026 the threadkit authors. MIT license.
// A thread that takes and frees queue blocks of mixed sizes in the shared
// heap (_core/heap.ts blockAlloc with `queue`: chunk blocks, and runs of
// chunks for blocks over 8 MiB) while other threads do the same:
// tests/_workers/programs/heap_reuse.ts. Each block it holds carries its
// own stamp in its first and last payload words; a block handed to two
// threads at once, or freed under its holder, shows as a stamp another
// thread wrote.
import { blockAlloc, blockRelease } from "../../_core/heap.ts";
import { runtime } from "../../_core/runtime.ts";

const SIZES = [
  500,
  4000,
  60_000,
  1 << 20,
  8 * (1 << 20) - 64,
  9 << 20,
  20 << 20,
];

/**
 * `rounds` times: takes a block of a size picked from SIZES (a simple
 * generator seeded with `seed`), stamps it, keeps at most `hold` of them,
 * and frees the oldest after checking its stamps. Returns
 * [blocks taken, refusals, stamps found wrong].
 */
export function churn(
  seed: number,
  rounds: number,
  hold: number,
): [number, number, number] {
  const all = new Int32Array(runtime().buffer);
  let words = all;
  const view = (end: number) =>
    end <= words.length * 4 ? words : words = new Int32Array(runtime().buffer);
  const held: [number, number, number][] = []; // offset, bytes, stamp
  let x = seed | 1, taken = 0, refused = 0, wrong = 0;
  const check = ([at, bytes, stamp]: [number, number, number]) => {
    const w = view(at + bytes);
    const last = (at + bytes) / 4 - 1;
    if (
      Atomics.load(w, at / 4) !== stamp || Atomics.load(w, last) !== stamp
    ) wrong++;
  };
  for (let r = 0; r < rounds; r++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const bytes = SIZES[(x >>> 0) % SIZES.length] & ~3;
    const at = blockAlloc(bytes, true);
    if (at < 0) refused++;
    else {
      taken++;
      const stamp = (seed << 20) ^ r;
      const w = view(at + bytes);
      const first = Atomics.exchange(w, at / 4, stamp);
      const last = Atomics.exchange(w, (at + bytes) / 4 - 1, stamp);
      if (first !== 0 || last !== 0) wrong++; // a new block is zeroed
      held.push([at, bytes, stamp]);
    }
    if (held.length > hold || (at < 0 && held.length > 0)) {
      const oldest = held.shift()!;
      check(oldest);
      blockRelease(oldest[0]);
    }
  }
  for (const h of held) {
    check(h);
    blockRelease(h[0]);
  }
  return [taken, refused, wrong];
}
