// Copyright 2026 the threadkit authors. MIT license.
// Replaces built-ins the way a polyfill or a program's own patch would, with
// functions that pass each call through to the original and, once armed,
// count it in a shared word (and print the first call's stack). Used by a
// thread's own code before threadkit's codec has loaded in that thread: a
// module target's body (tests/_workers/replaced_at_load.ts) or a source
// target (the function's text is sent as the target's source, so it closes
// over nothing).
//
// The paths: "A.b.c" a function-valued data property, "A.b.c:get" an
// accessor's getter, "A:ctor" a global constructor (replaced on the global
// object by a function that constructs the original, with the same
// prototype and statics). "%TypedArray%" is Int8Array's prototype's
// constructor.

/** The built-ins the codec modules copy at load (their `const x = A.b`). */
export const METHODS: readonly string[] = [
  "Reflect.apply",
  "Reflect.construct",
  "Object.getPrototypeOf",
  "Object.hasOwn",
  "Object.getOwnPropertyDescriptor",
  "Object.keys",
  "Object.defineProperty",
  "Object.create",
  "Object.getOwnPropertyNames",
  "Object.isExtensible",
  "Object.prototype.toString",
  "JSON.stringify",
  "JSON.parse",
  "Array.isArray",
  "Array.prototype.concat",
  "String.prototype.slice",
  "String.prototype.charCodeAt",
  "String.prototype.indexOf",
  "String.prototype.lastIndexOf",
  "String.prototype.valueOf",
  "String.fromCharCode",
  "Number.prototype.valueOf",
  "Boolean.prototype.valueOf",
  "BigInt.prototype.valueOf",
  "Map.prototype.forEach",
  "Map.prototype.set",
  "Map.prototype.get",
  "Map.prototype.has",
  "Map.prototype.delete",
  "Map.prototype.clear",
  "Set.prototype.forEach",
  "Set.prototype.add",
  "Set.prototype.has",
  "Set.prototype.delete",
  "Set.prototype.clear",
  "WeakMap.prototype.has",
  "WeakSet.prototype.has",
  "Date.prototype.getTime",
  "RegExp.prototype.exec",
  "ArrayBuffer.isView",
  "Function.prototype.bind",
  "Map.prototype.size:get",
  "Set.prototype.size:get",
  "RegExp.prototype.source:get",
  "RegExp.prototype.global:get",
  "RegExp.prototype.ignoreCase:get",
  "RegExp.prototype.flags:get",
  "ArrayBuffer.prototype.byteLength:get",
  "SharedArrayBuffer.prototype.byteLength:get",
  "%TypedArray%.prototype.buffer:get",
  "%TypedArray%.prototype.byteOffset:get",
  "%TypedArray%.prototype.length:get",
  "DataView.prototype.buffer:get",
  "DataView.prototype.byteOffset:get",
  "DataView.prototype.byteLength:get",
  "globalThis.structuredClone",
  "Symbol.for",
];

/** Global constructors the codec modules copy at load. */
export const CTORS: readonly string[] = [
  "Map:ctor",
  "Set:ctor",
  "String:ctor",
  "Number:ctor",
  "BigInt:ctor",
  "TypeError:ctor",
  "Uint8Array:ctor",
  "AggregateError:ctor",
  "Symbol:ctor",
];

/** What replaceBuiltins gives: arm it, and say where to count. */
export interface Replaced {
  counts: Int32Array | undefined;
  armed: boolean;
  names: readonly string[];
}

/**
 * Replaces each built-in `paths` names; returns the state that arms the
 * counting. counts[0]: calls in all once armed; counts[1 + i]: calls of
 * paths[i]. Self-contained: its text is also a source target's.
 */
export function replaceBuiltins(paths: readonly string[]): Replaced {
  const st: Replaced = { counts: undefined, armed: false, names: paths };
  const apply = Reflect.apply, construct = Reflect.construct;
  const add = Atomics.add, getOwn = Object.getOwnPropertyDescriptor;
  const define = Object.defineProperty, ownKeys = Reflect.ownKeys;
  const E = Error as ErrorConstructor & { stackTraceLimit: number },
    log = console.error;
  const seen: boolean[] = [];
  const split = String.prototype.split, test = RegExp.prototype.test;
  // A frame of threadkit's own files (not a source target's, whose frame
  // names the file that compiled it inside a second pair of parens). (The
  // text holds no name of the package's and no e-v-a-l: a source target
  // that does loads the package before it runs, _core/scope.ts.)
  const OWN =
    /(?:\(|at )(?:file:\/\/)?[^()\s]*\/(?:_core|thread|queue|sync|pool)\/[\w.]+:\d+:\d+\)?$/;
  const SKIP =
    /_replace_builtins|<anonymous>:\d+:\d+\)?$|\((?:<anonymous>|native)\)$|at (?:hit|w|new w) /;
  let inside = false;
  // Counts a call made once armed from threadkit's own code (the runtime's
  // own internals may call a replaced built-in too: Node's async hooks read
  // a typed array's length), and prints the first one's stack.
  const hit = (i: number) => {
    if (!st.armed || st.counts === undefined || inside) return;
    inside = true;
    try {
      const limit = E.stackTraceLimit;
      E.stackTraceLimit = 60;
      const stack = new E().stack ?? "";
      E.stackTraceLimit = limit;
      const lines = apply(split, stack, ["\n"]) as string[];
      // The caller: the first frame that is neither a replacement's (this
      // module's, or a source target's: "<anonymous>:line:col") nor a
      // built-in's ("(<anonymous>)", "(native)"). Counted when it is one of
      // threadkit's files (not the runtime's internals).
      let own = false;
      for (let k = 1; k < lines.length; k++) {
        const line = lines[k];
        if (
          apply(test, SKIP, [line]) || !apply(test, /^\s*at /, [line])
        ) continue;
        own = apply(test, OWN, [line]) as boolean;
        break;
      }
      // (The thread's stop hooks, after its outcome: not its encoding.)
      if (!own || apply(test, /runStopHooks/, [stack])) return;
      add(st.counts, 0, 1);
      add(st.counts, 1 + i, 1);
      if (!seen[i]) {
        seen[i] = true;
        log(`replaced built-in called after the target: ${paths[i]}\n${stack}`);
      }
    } finally {
      inside = false;
    }
  };
  const TA = Object.getPrototypeOf(Int8Array);
  const resolve = (path: string): unknown => {
    let o: unknown = globalThis;
    for (const k of path.split(".")) {
      o = k === "%TypedArray%"
        ? TA
        : k === "globalThis"
        ? globalThis
        : (o as Record<string, unknown>)[k];
    }
    return o;
  };
  for (let i = 0; i < paths.length; i++) {
    const [path, kind] = paths[i].split(":");
    const dot = path.lastIndexOf(".");
    const holder = (dot < 0 ? globalThis : resolve(path.slice(0, dot))) as
      | object
      | undefined;
    const key = dot < 0 ? path : path.slice(dot + 1);
    if (holder === undefined) continue;
    const d = getOwn(holder, key);
    if (d === undefined) continue;
    if (kind === "get") {
      const get = d.get!;
      define(holder, key, {
        ...d,
        get: function (this: unknown) {
          hit(i);
          return apply(get, this, []);
        },
      });
    } else if (kind === "ctor") {
      const orig = d.value as new (...a: unknown[]) => unknown;
      const w = function (this: unknown, ...a: unknown[]) {
        hit(i);
        return new.target === undefined
          ? apply(orig as unknown as () => unknown, this, a)
          : construct(orig, a, new.target === w ? orig : new.target);
      };
      for (const k of ownKeys(orig)) {
        if (k === "length" || k === "name") continue;
        define(w, k, getOwn(orig, k)!);
      }
      Object.setPrototypeOf(w, Object.getPrototypeOf(orig));
      define(holder, key, { ...d, value: w });
    } else {
      const orig = d.value as () => unknown;
      const w = function (this: unknown, ...a: unknown[]) {
        hit(i);
        return apply(orig, this, a);
      };
      define(holder, key, { ...d, value: w });
    }
  }
  return st;
}

/** The value the targets return: every kind the result codec tells apart. */
export function makeValue(): Record<string, unknown> {
  return {
    n: 1,
    s: "text \u00e9\u4e2d",
    arr: [1, "a", null, [2]],
    map: new Map<unknown, unknown>([[1, "one"], ["k", { v: 2 }]]),
    set: new Set(["x", 3]),
    date: new Date(5),
    re: /a+b/gi,
    u8: new Uint8Array([1, 2, 3]),
    big: 10n,
    box: Object(4),
    err: Object.assign(new RangeError("inner"), { code: 3 }),
    nested: { deep: { k: "v" } },
    "\u0000threadkit": "a key like the marker",
  };
}

/** The error the targets throw: own properties, a cause. */
export function makeError(): Error {
  return Object.assign(new TypeError("coded", { cause: "why" }), {
    code: 7,
    extra: { k: [1, 2] },
  });
}
