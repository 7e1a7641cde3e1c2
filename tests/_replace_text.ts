// Copyright 2026 the threadkit authors. MIT license.
// Replaces the string and number built-ins a codec could read at call time
// with ones that give wrong answers: String.prototype.charCodeAt and slice
// and String.fromCharCode read "a" as "b", BigInt.prototype.toString and
// the String, Number and BigInt globals give 7, Number.isFinite says true.
// tests/values/replaced_text_test.ts and its worker module use it.

// deno-lint-ignore no-explicit-any
type Any = any;

/**
 * Replaces the built-ins (see the top); returns what puts them back.
 * Self-contained, so the test's own thread uses it too.
 */
export function replaceText(): () => void {
  const g = globalThis as Any;
  const apply = Reflect.apply, define = Object.defineProperty;
  const getDesc = Object.getOwnPropertyDescriptor;
  const put: [object, PropertyKey, PropertyDescriptor][] = [];
  const swap = (o: object, k: PropertyKey, value: unknown) => {
    put[put.length] = [o, k, getDesc(o, k)!];
    define(o, k, { value, writable: true, configurable: true });
  };
  const S = String, N = Number, B = BigInt, P = String.prototype;
  const cca = P.charCodeAt, slice = P.slice, replace = P.replace;
  const fcc = String.fromCharCode;
  // "a" reads as "b", a bigint or a number as "7", any number as 7.
  swap(P, "charCodeAt", function (this: string, i: number) {
    const c = apply(cca, this, [i]);
    return c === 0x61 ? 0x62 : c;
  });
  swap(P, "slice", function (this: string, ...a: number[]) {
    return apply(replace, apply(slice, this, a), [/a/g, "b"]);
  });
  swap(String, "fromCharCode", (...codes: number[]) => {
    for (let i = 0; i < codes.length; i++) {
      if (codes[i] === 0x61) codes[i] = 0x62;
    }
    return apply(fcc, null, codes);
  });
  swap(BigInt.prototype, "toString", () => "7");
  swap(Number, "isFinite", () => true);
  const fake = (f: (v: unknown) => unknown, of: Any) => {
    const c = function (v: unknown) {
      return f(v);
    } as Any;
    Object.setPrototypeOf(c, of); // (its statics: String.raw, ...)
    c.prototype = of.prototype;
    return c;
  };
  const num = (v: unknown) => typeof v === "number" || typeof v === "bigint";
  swap(g, "String", fake((v) => num(v) ? "7" : S(v), S));
  swap(g, "Number", fake(() => 7, N));
  swap(g, "BigInt", fake(() => 7n, B));
  return () => {
    for (let i = put.length - 1; i >= 0; i--) define(...put[i]);
  };
}
