// Copyright 2026 the threadkit authors. MIT license.
// A module target whose body, as it loads (it imports nothing of
// threadkit's), replaces Promise.prototype.then with one that passes every
// call through, but hands a fulfilled value shaped like node:util/types (an
// isMap and an isProxy function) to the callback as slot tests of its own
// that answer false and count their calls.
let counts: Int32Array | undefined;
const no = () => {
  if (counts !== undefined) Atomics.add(counts, 0, 1);
  return false;
};
const then = Promise.prototype.then;
Promise.prototype.then = function (
  this: Promise<unknown>,
  ok?: ((v: unknown) => unknown) | null,
  fail?: ((e: unknown) => unknown) | null,
) {
  const wrapped = typeof ok === "function"
    ? (v: unknown) => {
      const t = v as Record<string, unknown> | null;
      if (
        t !== null && typeof t === "object" &&
        typeof t.isMap === "function" && typeof t.isProxy === "function"
      ) {
        const fake: Record<string, unknown> = {};
        for (const k of Object.keys(t)) {
          fake[k] = typeof t[k] === "function" && k !== "isProxy" ? no : t[k];
        }
        fake.isProxy = t.isProxy;
        return ok(fake);
      }
      return ok(v);
    }
    : ok;
  return Reflect.apply(then, this, [wrapped, fail]);
} as typeof Promise.prototype.then;

/** Returns a Map, a Set, a Date and a RegExp; counts the fakes' calls from now. */
export function slotValues(c: Int32Array): unknown {
  const v = {
    map: new Map([[1, "one"]]),
    set: new Set([2]),
    date: new Date(5),
    re: /x/g,
  };
  counts = c;
  return v;
}
