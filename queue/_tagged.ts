// Copyright 2026 the threadkit authors. MIT license.
// The tagged JSON fallback of the default codec (_codec.ts): the encoder
// (tag) and decoder (untag) for values plain JSON would drop or change.
//
// Tagged JSON is JSON whose special values are marker objects with the key
// MARK ("\u0000") naming a kind: undefined, NaN, -0, +-Infinity, bigint,
// Date, RegExp, Map, Set, ArrayBuffer, typed arrays, DataView, Error, boxed
// primitives, sparse arrays, threadkit primitives (as their bytes form),
// objects that themselves have a "\u0000" key, and back references ("@") for
// shared and cyclic objects. Every object gets an id in pre-order on encode;
// decode assigns ids in the same order, so "@" references resolve.
// Values structured clone refuses (functions, symbols, WeakMap, Promise, ...)
// and values that cannot live in bytes (SharedArrayBuffer, views on one, a
// primitive in a buffer of its own) throw a TypeError naming where they are.

import {
  type BytesForm,
  descriptorToBytesForm,
  reviveBytesForm,
  TO_DESCRIPTOR,
} from "../_core/transfer.ts";
import { describe } from "../_core/placement.ts";

/** The key of a marker object: its value names the kind. */
export const MARK = "\u0000";

/** Where tag() is: the ids of objects seen so far, and the path for errors. */
export interface TagState {
  readonly ids: Map<object, number>;
  path: string;
}

const REFUSED: Record<string, string> = {
  Promise: "a Promise",
  WeakMap: "a WeakMap",
  WeakSet: "a WeakSet",
  WeakRef: "a WeakRef",
  FinalizationRegistry: "a FinalizationRegistry",
  Generator: "a generator",
  AsyncGenerator: "an async generator",
  MessagePort: "a MessagePort",
};

const VIEWS: Record<
  string,
  new (b: ArrayBuffer, o: number, l: number) => ArrayBufferView
> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  DataView: DataView as never,
};

const ERRORS: Record<string, new (message?: string) => Error> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

function refuse(st: TagState, what: string, hint = ""): TypeError {
  return new TypeError(
    `Cannot put item in queue: ${st.path} is ${what}, which cannot be copied to another thread${hint}`,
  );
}

/** Tags `value` for JSON (st.path names where it is, for errors). */
export function tag(value: unknown, st: TagState): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value) && !(value === 0 && 1 / value < 0)) {
        return value;
      }
      return { [MARK]: "n", v: String(Object.is(value, -0) ? "-0" : value) };
    case "undefined":
      return { [MARK]: "u" };
    case "bigint":
      return { [MARK]: "b", v: value.toString() };
    case "function":
      throw refuse(st, "a function");
    case "symbol":
      throw refuse(st, "a symbol");
  }
  if (value === null) return null;
  const obj = value as object;
  const ref = st.ids.get(obj);
  if (ref !== undefined) return { [MARK]: "@", i: ref };
  if (TO_DESCRIPTOR in obj) {
    let form: BytesForm | undefined;
    try {
      form = descriptorToBytesForm(obj);
    } catch (cause) {
      throw new TypeError(
        `Cannot put item in queue: ${st.path} is a threadkit ${
          describe(obj)
        } in a SharedArrayBuffer of its own, which cannot travel as bytes; pass it to the thread as a thread arg instead`,
        { cause },
      );
    }
    if (form !== undefined) {
      st.ids.set(obj, st.ids.size);
      return {
        [MARK]: "p",
        t: form.tag,
        o: form.byteOffset,
        x: at(st, ".extra", () => tag(form.extra, st)),
      };
    }
  }
  const tagName = Object.prototype.toString.call(obj).slice(8, -1);
  if (REFUSED[tagName] !== undefined) throw refuse(st, REFUSED[tagName]);
  if (obj instanceof SharedArrayBuffer) {
    throw refuse(
      st,
      "a SharedArrayBuffer",
      "; pass it to the thread as a thread arg instead",
    );
  }
  st.ids.set(obj, st.ids.size);
  if (Array.isArray(obj)) {
    const keys = Object.keys(obj);
    let dense = keys.length === obj.length;
    for (let i = 0; dense && i < obj.length; i++) dense = i in obj;
    if (dense) {
      return obj.map((e, i) => at(st, `[${i}]`, () => tag(e, st)));
    }
    return {
      [MARK]: "a",
      n: obj.length,
      e: keys.map((
        k,
      ) => [
        k,
        at(
          st,
          `[${k}]`,
          () => tag((obj as unknown as Record<string, unknown>)[k], st),
        ),
      ]),
    };
  }
  if (obj instanceof Date) return { [MARK]: "d", v: tag(obj.getTime(), st) };
  if (obj instanceof RegExp) {
    return { [MARK]: "r", s: obj.source, f: obj.flags };
  }
  if (obj instanceof Map) {
    const e: unknown[] = [];
    let i = 0;
    for (const [k, v] of obj) {
      e.push([
        at(st, `.<key ${i}>`, () => tag(k, st)),
        at(st, `.<value ${i++}>`, () => tag(v, st)),
      ]);
    }
    return { [MARK]: "m", e };
  }
  if (obj instanceof Set) {
    const e: unknown[] = [];
    let i = 0;
    for (const v of obj) e.push(at(st, `.<element ${i++}>`, () => tag(v, st)));
    return { [MARK]: "s", e };
  }
  if (obj instanceof ArrayBuffer) {
    return { [MARK]: "ab", v: toBase64(new Uint8Array(obj)) };
  }
  if (ArrayBuffer.isView(obj)) {
    const name = obj.constructor.name;
    if (obj.buffer instanceof SharedArrayBuffer) {
      throw refuse(
        st,
        `a ${name} over a SharedArrayBuffer`,
        "; pass it to the thread as a thread arg instead",
      );
    }
    if (VIEWS[name] === undefined) throw refuse(st, `a ${name}`);
    const length = obj instanceof DataView
      ? obj.byteLength
      : (obj as unknown as { length: number }).length;
    return {
      [MARK]: "v",
      t: name,
      b: tag(obj.buffer, st),
      o: obj.byteOffset,
      l: length,
    };
  }
  if (obj instanceof Error) {
    return {
      [MARK]: "e",
      n: obj.name,
      m: obj.message,
      s: obj.stack,
      c: "cause" in obj
        ? at(st, ".cause", () => tag(obj.cause, st))
        : undefined,
      h: "cause" in obj,
    };
  }
  if (
    obj instanceof Boolean || obj instanceof Number || obj instanceof String ||
    obj instanceof BigInt
  ) {
    return { [MARK]: "B", v: tag(obj.valueOf(), st) };
  }
  // Plain objects and class instances (which, as in structured clone, arrive
  // as plain objects with their own enumerable properties).
  const keys = Object.keys(obj);
  const rec = obj as Record<string, unknown>;
  if (Object.hasOwn(obj, MARK)) {
    return {
      [MARK]: "o",
      e: keys.map((k) => [k, at(st, `.${k}`, () => tag(rec[k], st))]),
    };
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = at(st, `.${k}`, () => tag(rec[k], st));
  return out;
}

function at<T>(st: TagState, step: string, f: () => T): T {
  const saved = st.path;
  st.path = saved + step;
  try {
    return f();
  } finally {
    st.path = saved;
  }
}

/** Revives a parsed tagged value; `ids` collects objects for "@" references. */
export function untag(value: unknown, ids: unknown[]): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    ids.push(value);
    for (let i = 0; i < value.length; i++) value[i] = untag(value[i], ids);
    return value;
  }
  const rec = value as Record<string, unknown>;
  const kind = rec[MARK];
  if (kind === undefined) {
    ids.push(value);
    for (const k of Object.keys(rec)) rec[k] = untag(rec[k], ids);
    return value;
  }
  switch (kind) {
    case "u":
      return undefined;
    case "n":
      return rec.v === "-0" ? -0 : Number(rec.v);
    case "b":
      return BigInt(rec.v as string);
    case "@":
      return ids[rec.i as number];
    case "p": {
      const slot = ids.push(undefined) - 1;
      const extra = untag(rec.x, ids);
      return ids[slot] = reviveBytesForm({
        tag: rec.t as string,
        byteOffset: rec.o as number,
        extra,
      });
    }
    case "a": {
      const arr: unknown[] = new Array(rec.n as number);
      ids.push(arr);
      for (const [k, v] of rec.e as [string, unknown][]) {
        (arr as unknown as Record<string, unknown>)[k] = untag(v, ids);
      }
      return arr;
    }
    case "d": {
      const slot = ids.push(undefined) - 1;
      return ids[slot] = new Date(untag(rec.v, ids) as number);
    }
    case "r": {
      const re = new RegExp(rec.s as string, rec.f as string);
      ids.push(re);
      return re;
    }
    case "m": {
      const map = new Map();
      ids.push(map);
      for (const [k, v] of rec.e as [unknown, unknown][]) {
        const key = untag(k, ids);
        map.set(key, untag(v, ids));
      }
      return map;
    }
    case "s": {
      const set = new Set();
      ids.push(set);
      for (const v of rec.e as unknown[]) set.add(untag(v, ids));
      return set;
    }
    case "ab": {
      const buf = fromBase64(rec.v as string).buffer;
      ids.push(buf);
      return buf;
    }
    case "v": {
      const slot = ids.push(undefined) - 1;
      const buf = untag(rec.b, ids) as ArrayBuffer;
      const View = VIEWS[rec.t as string];
      if (View === undefined) {
        throw new TypeError(`Cannot decode queue item: unknown view ${rec.t}`);
      }
      return ids[slot] = new View(buf, rec.o as number, rec.l as number);
    }
    case "e": {
      const slot = ids.push(undefined) - 1;
      const name = rec.n as string;
      const err = new (ERRORS[name] ?? Error)(rec.m as string);
      if (err.name !== name) {
        Object.defineProperty(err, "name", {
          value: name,
          writable: true,
          configurable: true,
        });
      }
      Object.defineProperty(err, "stack", {
        value: rec.s,
        writable: true,
        configurable: true,
      });
      ids[slot] = err;
      if (rec.h) {
        Object.defineProperty(err, "cause", {
          value: untag(rec.c, ids),
          writable: true,
          configurable: true,
        });
      }
      return err;
    }
    case "B": {
      const slot = ids.push(undefined) - 1;
      return ids[slot] = Object(untag(rec.v, ids));
    }
    case "o": {
      const out: Record<string, unknown> = {};
      ids.push(out);
      for (const [k, v] of rec.e as [string, unknown][]) out[k] = untag(v, ids);
      return out;
    }
  }
  throw new TypeError(
    `Cannot decode queue item: unknown marker "${String(kind)}"`,
  );
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
