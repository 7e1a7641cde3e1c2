// Copyright 2026 the threadkit authors. MIT license.
// A module that ends its pool thread as it is loaded.
(globalThis as unknown as { process: { exit(c: number): void } }).process.exit(
  7,
);
/** Never runs. */
export function never(): number {
  return 1;
}
