// Copyright 2026 the threadkit authors. MIT license.
// Property-test helpers: arbitrary values as an adversarial user makes them
// (fast-check), and a strict comparison of a received value with
// structuredClone of the sent one.

import fc from "fast-check";
import process from "node:process";

/** Keys that have tripped codecs: setters, the marker keys, lookalikes. */
export const TRICKY_KEYS: readonly string[] = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "length",
  "\u0000",
  "\u0000threadkit",
  "\u0000\u0000threadkit",
  "\u0000threadkit.error", // (the error format's key before { e } / { v })
  "e", // the error format's keys (_core/outcome.ts)
  "v",
  "0",
  "-0",
  "\x7f", // the tagged form's marker key (queue/_tagged.ts MARK)
  "\x7f#",
  // Keys JSON escapes: V8's JSON.parse (Deno 2.9.6) read them as other
  // keys after a parse of a key holding a backslash (_core/json.ts).
  "\\",
  '"',
  "\n",
  "\u0001",
  "\ud800",
  "a\\",
  "a\n",
];

/** Characters JSON escapes in a key, and one it does not. */
const escapedUnit = fc.constantFrom(
  "\\",
  '"',
  "\n",
  "\t",
  "\u0000",
  "\u001f",
  "\ud800",
  "\udc00",
  "a",
);

/** Object keys: short strings, and often a tricky or an escaped one. */
export const keyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 4 }) },
  { weight: 2, arbitrary: fc.constantFrom(...TRICKY_KEYS) },
  {
    weight: 2,
    arbitrary: fc.string({ unit: escapedUnit, minLength: 1, maxLength: 3 }),
  },
);

/**
 * Leaves: fast-check's own (booleans, integers, doubles, strings, null,
 * undefined) plus, often, the numbers codecs get wrong (fc.double gives them
 * rarely: about 1 in 1,600 numbers is NaN) and an Invalid Date.
 */
const leafArbs: fc.Arbitrary<unknown>[] = [
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 8 }),
  fc.constantFrom(null, undefined),
  fc.constantFrom(-0, NaN, Infinity, -Infinity, 5e-324, -(2 ** 53) - 2),
  fc.constant(0).map(() => new Date(NaN)),
];

/** Any value structured clone carries (trees; see withSharing for graphs). */
export function valueArb(maxDepth = 4): fc.Arbitrary<unknown> {
  return fc.anything({
    key: keyArb,
    values: leafArbs,
    maxDepth,
    maxKeys: 5,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
  });
}

/** Values plus: shared references, cycles, arrays with extra properties. */
export function itemArb(): fc.Arbitrary<unknown> {
  const v = valueArb();
  return fc.oneof(
    { weight: 4, arbitrary: v },
    {
      weight: 1,
      arbitrary: fc.tuple(v, v, keyArb).map(([a, b, k]) => {
        const o: Record<string, unknown> = { a };
        Object.defineProperty(o, k, {
          value: b,
          enumerable: true,
          writable: true,
          configurable: true,
        });
        o.self = o;
        return [o, o, new Map([[o, a]])];
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.array(v, { maxLength: 3 }), keyArb, v).map(
        ([arr, k, x]) => {
          Object.defineProperty(arr, k === "length" ? "len" : k, {
            value: x,
            enumerable: true,
            writable: true,
            configurable: true,
          });
          return arr;
        },
      ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: 1, max: 300 }), v).map(
        ([depth, leaf]) => {
          let x: unknown = leaf;
          for (let i = 0; i < depth; i++) x = i % 2 ? [x] : { d: x, z: -0 };
          return x;
        },
      ),
    },
  );
}

/**
 * Throws unless `got` equals `want` (structuredClone of the sent value) as
 * structured clone defines it: same prototypes at every node, own data
 * properties with the same keys in the same order, SameValue leaves, the
 * same sharing and cycles (a bijection between their objects).
 */
export function assertCloneEqual(got: unknown, want: unknown): void {
  compare(got, want, "value", new Map(), new Map());
}

function fail(path: string, what: string): never {
  throw new Error(
    `received value differs from structuredClone at ${path}: ${what}`,
  );
}

function compare(
  got: unknown,
  want: unknown,
  path: string,
  g2w: Map<object, object>,
  w2g: Map<object, object>,
): void {
  if (typeof got !== typeof want) {
    fail(path, `type ${typeof got}, expected ${typeof want}`);
  }
  if (typeof want !== "object" || want === null) {
    if (!Object.is(got, want)) {
      fail(path, `${String(got)}, expected ${String(want)}`);
    }
    return;
  }
  if (got === null) fail(path, "null, expected an object");
  const g = got as object, w = want as object;
  const seenW = g2w.get(g), seenG = w2g.get(w);
  if (seenW !== undefined || seenG !== undefined) {
    if (seenW !== w || seenG !== g) fail(path, "different sharing or cycles");
    return;
  }
  g2w.set(g, w);
  w2g.set(w, g);
  if (Object.getPrototypeOf(g) !== Object.getPrototypeOf(w)) {
    fail(
      path,
      `prototype ${describeProto(g)}, expected ${describeProto(w)}`,
    );
  }
  if (w instanceof Date) {
    if (!Object.is((g as Date).getTime(), w.getTime())) fail(path, "date");
  } else if (w instanceof RegExp) {
    const r = g as RegExp;
    if (r.source !== w.source || r.flags !== w.flags) fail(path, "regexp");
  } else if (w instanceof Map) {
    const ge = [...(g as Map<unknown, unknown>)], we = [...w];
    if (ge.length !== we.length) fail(path, "map size");
    we.forEach(([k, v], i) => {
      compare(ge[i][0], k, `${path}.<key ${i}>`, g2w, w2g);
      compare(ge[i][1], v, `${path}.<value ${i}>`, g2w, w2g);
    });
  } else if (w instanceof Set) {
    const ge = [...(g as Set<unknown>)], we = [...w];
    if (ge.length !== we.length) fail(path, "set size");
    we.forEach((v, i) => compare(ge[i], v, `${path}.<element ${i}>`, g2w, w2g));
  } else if (w instanceof ArrayBuffer) {
    const a = new Uint8Array(g as ArrayBuffer), b = new Uint8Array(w);
    if (a.length !== b.length || a.some((x, i) => x !== b[i])) {
      fail(path, "array buffer bytes");
    }
  } else if (ArrayBuffer.isView(w)) {
    const v = g as ArrayBufferView;
    if (v.byteOffset !== w.byteOffset || v.byteLength !== w.byteLength) {
      fail(path, "view offset or length");
    }
    compare(v.buffer, w.buffer, `${path}.buffer`, g2w, w2g);
  } else if (
    w instanceof Number || w instanceof String || w instanceof Boolean ||
    w instanceof BigInt
  ) {
    const boxed = g as { valueOf(): unknown };
    if (!Object.is(boxed.valueOf(), w.valueOf())) fail(path, "boxed");
  }
  // Own enumerable string keys (arrays: indices and the rest), in order.
  const gk = Object.keys(g), wk = Object.keys(w);
  if (w instanceof String) return; // index keys of the boxed string
  if (gk.length !== wk.length || gk.some((k, i) => k !== wk[i])) {
    fail(path, `keys ${JSON.stringify(gk)}, expected ${JSON.stringify(wk)}`);
  }
  if (Array.isArray(w) && (g as unknown[]).length !== w.length) {
    fail(path, "array length");
  }
  for (const k of wk) {
    const d = Object.getOwnPropertyDescriptor(g, k)!;
    if (!("value" in d)) fail(`${path}[${JSON.stringify(k)}]`, "an accessor");
    compare(
      d.value,
      (w as Record<string, unknown>)[k],
      `${path}[${JSON.stringify(k)}]`,
      g2w,
      w2g,
    );
  }
}

function describeProto(o: object): string {
  const p = Object.getPrototypeOf(o);
  if (p === null) return "null";
  return p.constructor?.name ?? "an unnamed prototype";
}

/**
 * fc.assert with a fresh seed (or FC_SEED from the environment) that is
 * printed when the property fails, so the run can be repeated.
 */
export function checkProperty<T>(
  name: string,
  property: fc.IProperty<T>,
  numRuns: number,
): void {
  const env = process.env;
  const seed = env?.FC_SEED !== undefined
    ? Number(env.FC_SEED)
    : (Date.now() ^ (Math.random() * 2 ** 31)) | 0;
  try {
    fc.assert(property, { seed, numRuns });
  } catch (error) {
    console.error(`${name}: failed with seed ${seed} (rerun: FC_SEED=${seed})`);
    throw error;
  }
}

/** checkProperty for async properties. */
export async function checkPropertyAsync<T>(
  name: string,
  property: fc.IAsyncProperty<T>,
  numRuns: number,
): Promise<void> {
  const env = process.env;
  const seed = env?.FC_SEED !== undefined
    ? Number(env.FC_SEED)
    : (Date.now() ^ (Math.random() * 2 ** 31)) | 0;
  try {
    await fc.assert(property, { seed, numRuns });
  } catch (error) {
    console.error(`${name}: failed with seed ${seed} (rerun: FC_SEED=${seed})`);
    throw error;
  }
}
