// Copyright 2026 the threadkit authors. MIT license.
// String.prototype.charCodeAt as at load, for the text loops (a queue
// item's text into the region, shape records, base64), in the form each
// engine runs at the method's own speed. Re-exported by
// _core/primordials.ts (the one set of load-time built-ins, whose record
// textReads is given).
//
// A program that replaces charCodeAt (with a function, or a getter) later
// runs no code of its own in those loops and changes no code unit read.
//
// Measured: a loop that copies an ASCII text's units into shared memory,
// ns a text of 8 / 20 / 50 units (medians, same process, loaded machine):
// | a unit read by                      | Deno 2.9.6   | Bun 1.4.4        |
// |-------------------------------------|--------------|------------------|
// | s.charCodeAt(k) (the program's)     | 46 / 154 / 327 | 62 / 87 / 136  |
// | codeAt(s, k) (a bound call, below)  | 44 / 175 / 313 | 648 / 1214 / 2197 |
// | methodCodes() once, then the method | -            | 71 / 117 / 145   |
// and Reflect.apply(charCodeAt, s, [k]) with charCodeAt imported from
// another module: 2.2-2.5x the method on Deno at 17-40 units (a queue
// item's text, queue/_text_io.ts), 10-20x on Bun. V8 (Deno, Node) calls a
// bound function's target as it calls the target (the call site's
// feedback names it), so codeAt costs what the method does there; JSC
// (Bun) calls a bound function, or Reflect.apply, 10-20x slower than the
// method: there a loop checks once that the method is still the load-time
// one and then calls it on the text itself.

import { RUNTIME } from "./host.ts";

/** The load-time built-ins the text reads take (_core/primordials.ts B). */
export interface TextBuiltins {
  readonly apply: typeof Reflect.apply;
  readonly hasOwn: typeof Object.hasOwn;
  readonly StringProto: object;
  readonly charCodeAt: (this: string, k: number) => number;
  /** `Function.prototype.call.bind(charCodeAt)`, made with the record. */
  readonly codeAt: unknown;
  readonly lookupGetter: unknown;
}

// Where a loop calls the method itself when methodCodes() says so: not on
// V8's runtimes, where codeAt costs what the method does.
const METHOD_RUNTIME = RUNTIME !== "deno" && RUNTIME !== "node";

/**
 * codeAt and methodCodes over `b`, the realm's load-time built-ins
 * (_core/primordials.ts, which re-exports them).
 */
export function textReads(b: TextBuiltins): {
  codeAt: (s: string, k: number) => number;
  methodCodes: () => boolean;
} {
  const { apply, hasOwn, StringProto: S, charCodeAt, lookupGetter } = b;
  // `s.charCodeAt(k)` with the charCodeAt of load time (a bound call).
  const codeAt = b.codeAt as (s: string, k: number) => number;
  // Object.prototype.__lookupGetter__ as at load: returns an accessor's
  // getter without calling it.
  const METHOD = METHOD_RUNTIME && typeof lookupGetter === "function";
  // Whether a loop may read a primitive string's units with
  // `s.charCodeAt(k)` (true only where codeAt is slower, see above):
  // String.prototype has its own charCodeAt, a data property that is the
  // load-time function. No code of a program's runs to tell: hasOwn reads
  // String.prototype's own property (no prototype walk, so no Proxy set as
  // its prototype is asked), __lookupGetter__ returns its getter if it is an
  // accessor (undefined for a data property), and only a data property is
  // then read. A loop checks once, before its first unit, and runs no
  // program code after (so the answer holds to its end).
  const methodCodes = () =>
    METHOD && hasOwn(S, "charCodeAt") &&
    apply(lookupGetter as () => unknown, S, ["charCodeAt"]) === undefined &&
    (S as unknown as { charCodeAt: unknown }).charCodeAt === charCodeAt;
  return { codeAt, methodCodes };
}
