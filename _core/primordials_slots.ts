// Copyright 2026 the threadkit authors. MIT license.
// What a Map, a Set, a Date, a RegExp and a view hold, read from their
// internal slots with the load-time built-ins of _core/primordials.ts (its
// record, B): no getter or method a program replaced runs (the codecs'
// walks, queue/_tagged.ts, _core/transfer.ts).

import { apply, B, isMap, isSet } from "./primordials.ts";

const { mapForEach, setForEach } = B;

const NO_ARGS: [] = [];

const { dateTime } = B;
/** A Date's time (its internal value: no getTime a program replaced). */
export const timeOf = (d: Date) => apply(dateTime, d, []) as number;

const SOURCE = B.reSource;
// Each flag getter reads the RegExp's own flags, not a property of it.
const FLAGS = B.reFlags;
/** A RegExp's source and flags, from its internal slots. */
export function regExpParts(re: RegExp): { s: string; f: string } {
  let f = "";
  for (let i = 0; i < FLAGS.length; i++) {
    if (apply(FLAGS[i][0], re, [])) f += FLAGS[i][1];
  }
  return { s: apply(SOURCE, re, []) as string, f };
}

const { taName: TA_NAME, taBuffer: TA_BUFFER, taOffset: TA_OFFSET } = B;
const { taLength: TA_LENGTH, dvBuffer: DV_BUFFER, dvOffset: DV_OFFSET } = B;
const { dvLength: DV_LENGTH, isView } = B;

/** What a view is, read from its internal slots. */
export interface ViewParts {
  /** Its class's name: "Uint8Array", ..., "DataView". */
  readonly name: string;
  readonly buffer: ArrayBufferLike;
}

/** The class and buffer of a view (ArrayBuffer.isView), or undefined. */
export function viewParts(obj: object): ViewParts | undefined {
  if (!isView(obj)) return undefined;
  const name = apply(TA_NAME, obj, []) as string | undefined;
  return name !== undefined
    ? { name, buffer: apply(TA_BUFFER, obj, []) as ArrayBufferLike }
    : {
      name: "DataView",
      buffer: apply(DV_BUFFER, obj, []) as ArrayBufferLike,
    };
}

/**
 * A view's byteOffset and length (elements; bytes for a DataView). Read
 * only for a view within its buffer's bounds: Node 20's getters throw
 * for one out of them.
 */
export function viewSpan(obj: ArrayBufferView): { o: number; n: number } {
  const dv = isDataView(obj);
  return {
    o: apply(dv ? DV_OFFSET : TA_OFFSET, obj, []) as number,
    n: apply(dv ? DV_LENGTH : TA_LENGTH, obj, []) as number,
  };
}

/** Whether `value` is a DataView (a view that no typed array is). */
export function isDataView(value: object): value is DataView {
  return isView(value) && apply(TA_NAME, value, NO_ARGS) === undefined;
}

/**
 * A Map's entries as [key0, value0, key1, value1, ...].
 * @throws {TypeError} for an object that is no Map.
 */
export function mapEntries(map: Map<unknown, unknown>): unknown[] {
  const out: unknown[] = [];
  apply(mapForEach, map, [(v: unknown, k: unknown) => {
    out[out.length] = k;
    out[out.length] = v;
  }]);
  return out;
}

/**
 * A Set's values.
 * @throws {TypeError} for an object that is no Set.
 */
export function setValues(set: Set<unknown>): unknown[] {
  const out: unknown[] = [];
  apply(setForEach, set, [(v: unknown) => {
    out[out.length] = v;
  }]);
  return out;
}

/** A Map's keys and values, or a Set's values; undefined for others. */
export function entriesOf(value: object): unknown[] | undefined {
  if (isMap(value)) return mapEntries(value);
  if (isSet(value)) return setValues(value);
  return undefined;
}
