// Copyright 2026 the threadkit authors. MIT license.
// A module that ends its thread while it is imported (a death during the
// thread's start, before its target runs): tests/thread/spare_start_test.ts.
const g = globalThis as unknown as {
  Deno?: { exit(code: number): never };
  process: { exit(code: number): never };
};
if (g.Deno) g.Deno.exit(6);
else g.process.exit(6);

/** Never runs. */
export function never(): number {
  return 1;
}
