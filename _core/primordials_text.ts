// Copyright 2026 the threadkit authors. MIT license.
// String.prototype.charCodeAt as at load, for the text loops (a queue
// item's text into the region, shape records, base64), in the form each
// engine runs at the method's own speed. Re-exported by
// _core/primordials.ts (the one set of load-time built-ins).
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

const S = String.prototype, apply = Reflect.apply, hasOwn = Object.hasOwn;
const charCodeAt = S.charCodeAt;
/** `s.charCodeAt(k)` with the charCodeAt of load time (a bound call). */
export const codeAt = Function.prototype.call.bind(charCodeAt) as (
  s: string,
  k: number,
) => number;

// Object.prototype.__lookupGetter__ as at load: returns an accessor's
// getter without calling it.
const lookupGetter = (Object.prototype as { __lookupGetter__?: unknown })
  .__lookupGetter__;
// Where a loop calls the method itself when methodCodes() says so: not on
// V8's runtimes, where codeAt costs what the method does.
const METHOD = RUNTIME !== "deno" && RUNTIME !== "node" &&
  typeof lookupGetter === "function";

/**
 * Whether a loop may read a primitive string's units with `s.charCodeAt(k)`
 * (true only where codeAt is slower, see above): String.prototype has
 * its own charCodeAt, a data property that is the load-time function. No
 * code of a program's runs to tell: hasOwn reads String.prototype's own
 * property (no prototype walk, so no Proxy set as its prototype is asked),
 * __lookupGetter__ returns its getter if it is an accessor (undefined for
 * a data property), and only a data property is then read. A loop checks
 * once, before its first unit, and runs no program code after (so the
 * answer holds to its end).
 */
export function methodCodes(): boolean {
  return METHOD && hasOwn(S, "charCodeAt") &&
    apply(lookupGetter as () => unknown, S, ["charCodeAt"]) === undefined &&
    S.charCodeAt === charCodeAt;
}
