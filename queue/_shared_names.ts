// Copyright 2026 the threadkit authors. MIT license.
// How tagged JSON (_tagged.ts) names a SharedArrayBuffer by a number
// instead of refusing it: only inside withShared, which an executor's slot
// codec runs (pool/_payload.ts; the buffers reach the pool threads in
// messages, pool/_shared.ts). A SharedArrayBuffer tags as { MARK: "sv", i }
// and a view over one as a view ("v") whose buffer is that; decode asks the
// same names for the buffer of each number. Elsewhere (queue items) both
// are refused as before: memory of their own cannot travel as bytes.

/** Names for shared buffers, for one encode or decode. */
export interface SharedNames {
  /**
   * The number of `buffer`; throws a TypeError when it cannot be named
   * (`path`: where it is in the value).
   */
  name(buffer: SharedArrayBuffer, path: string): number;
  /** The buffer of number `id`; throws when there is none. */
  buffer(id: number): SharedArrayBuffer;
}

let names: SharedNames | undefined;

// The refusals of shared memory made while nothing named it: an encode that
// threw one may be tried again with names (pool/_payload.ts).
const refusals = new WeakSet<object>();

/** Whether `error` is a refusal of shared memory (see refuse). */
export function refusedShared(error: unknown): boolean {
  return typeof error === "object" && error !== null && refusals.has(error);
}

/** Runs `f` (an encode or a decode) with `names` naming shared buffers. */
export function withShared<T>(given: SharedNames, f: () => T): T {
  const outer = names;
  names = given;
  try {
    return f();
  } finally {
    names = outer;
  }
}

/** Whether shared buffers are named now (else refused). */
export function naming(): boolean {
  return names !== undefined;
}

/**
 * The number of `buffer` (at `path` in the item).
 * @throws {TypeError} when nothing names shared buffers now, or when the
 * names in force cannot name this one.
 */
export function name(buffer: SharedArrayBuffer, path: string): number {
  if (names === undefined) throw refuse(path, "a SharedArrayBuffer");
  return names.name(buffer, path);
}

/**
 * The refusal of `what` (shared memory) at `path` while nothing names it,
 * as the tagged codec's other refusals read, marked for refusedShared.
 */
export function refuse(path: string, what: string): TypeError {
  const error = new TypeError(
    `Cannot put item in queue: ${path} is ${what}, which cannot be copied to another thread; pass it to the thread as a thread arg instead`,
  );
  refusals.add(error);
  return error;
}

/**
 * The buffer of number `id`.
 * @throws {TypeError} when nothing names shared buffers now.
 */
export function buffer(id: number): SharedArrayBuffer {
  if (names === undefined) {
    throw new TypeError(
      "Cannot decode item: it names a SharedArrayBuffer, and nothing here knows it",
    );
  }
  return names.buffer(id);
}
