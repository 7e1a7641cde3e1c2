// Copyright 2026 the threadkit authors. MIT license.
// A module target whose body, as it loads, replaces process.getBuiltinModule
// so that node:util/types answers false to every slot test (a Map is no Map,
// an Error no Error), and counts the calls of its tests once armed. It
// imports nothing of threadkit's: in a fresh worker it runs before the codec
// first asks the host for its slot tests (_core/host.ts utilTypes).

const g = globalThis as unknown as {
  process?: { getBuiltinModule?: (id: string) => unknown };
};
const orig = g.process?.getBuiltinModule;
let counts: Int32Array | undefined;
let armed = false;
// Times node:util/types was asked of the replacement, armed or not.
let asked = 0;
if (g.process !== undefined && typeof orig === "function") {
  g.process.getBuiltinModule = function (id: string) {
    const real = Reflect.apply(orig, g.process, [id]) as Record<
      string,
      unknown
    >;
    if (id !== "node:util/types" && id !== "util/types") return real;
    asked++;
    const fake: Record<string, unknown> = {};
    for (const k of Object.keys(real)) {
      fake[k] = typeof real[k] === "function" && k !== "isProxy"
        ? (..._a: unknown[]) => {
          if (armed && counts !== undefined) Atomics.add(counts, 0, 1);
          return false;
        }
        : real[k];
    }
    return fake;
  };
}

/** Returns a Map, a Set, a Date and a RegExp, armed after they are made. */
export function slotValues(c: Int32Array): unknown {
  counts = c;
  const v = {
    map: new Map([[1, "one"]]),
    set: new Set([2]),
    date: new Date(5),
    re: /x/g,
  };
  armed = true;
  return v;
}

/** Throws an Error with an own code, armed after it is made. */
export function throwCoded(c: Int32Array): never {
  counts = c;
  const e = Object.assign(new Error("coded"), { code: 7 });
  armed = true;
  throw e;
}

/**
 * How many times node:util/types was asked of the replacement since this
 * module loaded: the thread's args (`held`, with a Lock: decoded by the
 * codec after this module loaded) were decoded before this call.
 */
export function askedSinceLoad(_held: unknown): number {
  return asked;
}
