// Copyright 2026 the threadkit authors. MIT license.
// Module targets for the lock stress tests: n lock-protected, deliberately
// non-atomic increments of counter[0] (read, then write).

/** Anything with Lock's or RLock's acquire/release. */
export interface Acquirable {
  acquire(): boolean;
  acquireAsync(): Promise<boolean>;
  release(): void;
}

/** n increments under blocking acquires. */
export function incBlocking(
  lock: Acquirable,
  counter: Int32Array,
  n: number,
): number {
  for (let i = 0; i < n; i++) {
    lock.acquire();
    const v = counter[0];
    counter[0] = v + 1;
    lock.release();
  }
  return n;
}

/** n increments under async acquires (the event loop stays free). */
export async function incAsync(
  lock: Acquirable,
  counter: Int32Array,
  n: number,
): Promise<number> {
  for (let i = 0; i < n; i++) {
    await lock.acquireAsync();
    const v = counter[0];
    counter[0] = v + 1;
    lock.release();
  }
  return n;
}

/** n increments, alternating blocking and async acquires. */
export async function incMixed(
  lock: Acquirable,
  counter: Int32Array,
  n: number,
): Promise<number> {
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) lock.acquire();
    else await lock.acquireAsync();
    const v = counter[0];
    counter[0] = v + 1;
    lock.release();
  }
  return n;
}

/** RLock: n increments, each under a two-level reentrant acquire. */
export function incReentrant(
  lock: Acquirable,
  counter: Int32Array,
  n: number,
): number {
  for (let i = 0; i < n; i++) {
    lock.acquire();
    lock.acquire();
    const v = counter[0];
    counter[0] = v + 1;
    lock.release();
    lock.release();
  }
  return n;
}

/** Custom error class, to check class names cross threads. */
export class ParseError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ParseError";
  }
}

/** Throws a ParseError with a cause and an own property. */
export function failParse(input: string): never {
  const error = new ParseError(`cannot parse ${JSON.stringify(input)}`, {
    cause: new TypeError("bad token"),
  });
  (error as ParseError & { line: number }).line = 7;
  throw error;
}

/** Sums its args: a typed module target. */
export function sum(a: number, b: number): number {
  return a + b;
}
