// Copyright 2026 the threadkit authors. MIT license.
// A module target whose body, as it loads, replaces two built-ins the result
// codec copies (_core/transfer_keys.ts: Array.prototype.concat and
// RegExp.prototype.exec) with ones that lie, as a broken polyfill would:
// concat keeps only the first element of what it joins, and exec finds no
// match in a text that holds "threadkit". It imports nothing of threadkit's:
// in a fresh worker it runs before the codec's modules load.

const concat = Array.prototype.concat, exec = RegExp.prototype.exec;
const slice = Array.prototype.slice, includes = String.prototype.includes;
Array.prototype.concat = function (this: unknown[], ...a: unknown[]) {
  return Reflect.apply(slice, Reflect.apply(concat, this, a), [0, 1]);
} as typeof Array.prototype.concat;
RegExp.prototype.exec = function (this: RegExp, s: string) {
  return typeof s === "string" && Reflect.apply(includes, s, ["threadkit"])
    ? null
    : Reflect.apply(exec, this, [s]);
};

/** An array of three numbers, and an object with a key like the codec's marker. */
export function arrays(): unknown {
  return { list: [1, 2, 3], keyed: { "\u0000threadkit": "kept" } };
}
