// Copyright 2026 the threadkit authors. MIT license.
// The codec glue: how an item becomes the raw a Store takes (the value
// itself for numeric queues; bytes, a keyed record or a TextItem/Batch for
// structured ones) and how a get decodes. The encodings are in _codec.ts;
// the raws each store takes are described in _layout.ts (Store).
//
// Header slots used here (full table: _layout.ts):
// | slot | name  | values                            | written by        |
// |------|-------|-----------------------------------|-------------------|
// | 7    | FLAGS | bit 0: items use a custom codec   | constructor, once |
//
// Codec states of one handle (QueueState.codec, .decode, .noCodec):
// no FLAG_CODEC: default JSON encoding, never changes.
// FLAG_CODEC, codec given -> encode/decode with it.
// FLAG_CODEC, revived without codec (noCodec) -withCodec()-> codec given.

import { arrayIsArray } from "../_core/primordials.ts";
import {
  type Codec,
  decodeValue,
  encodeText,
  encodeValue,
  jsonValue,
  textTagged,
} from "./_codec.ts";
import {
  BYTES,
  type Decode,
  FLAG_CODEC,
  FLAGS,
  MAX_CAPACITY,
  numericError,
  PRIORITY,
} from "./_layout.ts";
import { dropHeld, held, marks } from "./_held.ts";
import { TA, U8 } from "../_core/primordials.ts";
import { viewParts } from "../_core/primordials_slots.ts";
import type { Keyed } from "./_bytes.ts";
import { noCodec, type QueueState } from "./_state.ts";
import { TextRing } from "./_text.ts";
import { encodeShape } from "./_shape.ts";
import { arrayBatch, Batch, bytesBatch, TextItem } from "./_text_batch.ts";

/** What gets pass the store to decode items, for this handle's codec. */
export function decoderOf(st: QueueState): Decode | undefined {
  if (st.info !== undefined) return undefined;
  const codec = st.codec;
  if (codec !== undefined) return (bytes) => codec.decode(bytes);
  return st.store instanceof TextRing ? undefined : decodeValue;
}

/** QueueBase.withCodec: installs `codec` in this handle. */
export function setCodec(st: QueueState, codec: Codec<unknown>): void {
  if ((st.h[FLAGS] & FLAG_CODEC) === 0) {
    throw new TypeError(
      "Cannot set codec: the queue was created without a custom codec",
    );
  }
  checkCodec(codec);
  st.codec = codec;
  st.noCodec = false;
  st.decode = decoderOf(st);
}

export function checkCodec(codec: Codec<unknown>): void {
  if (
    typeof codec?.encode !== "function" || typeof codec?.decode !== "function"
  ) {
    throw new TypeError(
      "Cannot use codec: it needs encode(value) and decode(bytes) functions",
    );
  }
}

/**
 * The raw the store takes for `item`; checks it fits (store.check) unless
 * `checked` is false (the caller checks: _accept.ts encodeKept).
 */
export function toRaw(st: QueueState, item: unknown, checked = true): unknown {
  const info = st.info;
  if (info !== undefined) {
    if (!info.exact(item)) throw numericError(info, item);
    if (st.discipline === PRIORITY && item !== item) {
      throw new RangeError(
        "Cannot put NaN in a PriorityQueue: NaN has no order",
      );
    }
    return item;
  }
  const from = held.length; // this item's heap references start here
  const key = st.discipline === PRIORITY ? priorityOf(item) : 0;
  let bytes: Uint8Array;
  if ((st.h[FLAGS] & FLAG_CODEC) !== 0) {
    const codec = st.codec;
    if (codec === undefined) throw noCodec();
    const encoded = codec.encode(item);
    if (!ArrayBuffer.isView(encoded) || !(encoded instanceof Uint8Array)) {
      throw new TypeError(
        "Cannot put item in queue: codec.encode must return a Uint8Array",
      );
    }
    bytes = plainView(Uint8Array, encoded); // copied under TAIL's turn
  } else if (st.store instanceof TextRing) {
    // A plain object of primitives: a shape record (_shape.ts), put as
    // bytes; anything else, and a record that might not fit the region:
    // JSON text, of the values the shape walk read (takeRefused).
    const shape = encodeShape(item, st.h[BYTES]);
    if (shape !== undefined) {
      if (checked) check(st, shape, from);
      return shape;
    }
    const raw = new TextItem(encodeText(item), textTagged);
    if (checked) check(st, raw, from);
    return raw;
  } else {
    // A PriorityQueue's [priority, ...] item: the walk takes the priority
    // read above, so the item holds the key it is ordered by.
    const read = st.discipline === PRIORITY && arrayIsArray(item);
    bytes = encodeValue(item, read ? key : undefined);
  }
  const raw = st.discipline === PRIORITY ? { key, bytes } : bytes;
  if (checked) check(st, raw, from);
  return raw;
}

// store.check, releasing the heap references the encoding took (from
// `from` in `held`) if it refuses the raw (_held.ts).
function check(st: QueueState, raw: unknown, from: number): void {
  if (held.length === from) return st.store.check(raw);
  try {
    st.store.check(raw);
  } catch (error) {
    dropHeld(from);
    throw error;
  }
}

/**
 * The raws for `items`: an array of owned raws, the caller's typed array
 * (numeric FIFO and LIFO), or one Batch (structured FIFO). `checked`
 * false: the caller checks them against each store it puts them in (an
 * unbounded queue's segments, _unbounded_put.ts).
 */
export function toRaws(
  st: QueueState,
  items: ArrayLike<unknown>,
  checked = true,
): ArrayLike<unknown> {
  if (
    items === null || typeof items !== "object" ||
    typeof items.length !== "number"
  ) {
    throw new TypeError("Cannot put items: expected an array or typed array");
  }
  // Checked before any work: every item is encoded before the first is put,
  // so a length no queue can hold would only grind ({ length: 2 ** 32 - 1 }).
  const n = items.length;
  if (n % 1 !== 0 || n < 0 || n > MAX_CAPACITY) { // (NaN too)
    throw new RangeError(
      `Cannot put items: length must be an integer from 0 to ${MAX_CAPACITY} (the most items one call puts), got ${
        String(n)
      }`,
    );
  }
  const info = st.info;
  if (
    info !== undefined && ArrayBuffer.isView(items) &&
    items instanceof info.Array && st.discipline !== PRIORITY
  ) {
    // Copied under TAIL's turn (a Proxy is not a view: copied item by item
    // below, before the turn).
    return plainView(info.Array as never, items) as ArrayLike<unknown>;
  }
  // An item that throws releases the heap references of the items before it
  // (_held.ts); marks say where each item's references start.
  const from = held.length, marksFrom = marks.length;
  try {
    return encodeRaws(st, items, checked);
  } catch (error) {
    dropHeld(from, marksFrom);
    throw error;
  }
}

function encodeRaws(
  st: QueueState,
  items: ArrayLike<unknown>,
  checked: boolean,
): ArrayLike<unknown> {
  if (st.store instanceof TextRing) {
    // One Batch: plain JSON texts encoded with one TextEncoder call, so a
    // run of them is one JSON text for the getter.
    let batch: Batch;
    if ((st.h[FLAGS] & FLAG_CODEC) !== 0) {
      const list = new Array<Uint8Array>(items.length);
      for (let i = 0; i < items.length; i++) {
        list[i] = toRaw(st, items[i], checked) as Uint8Array;
      }
      batch = bytesBatch(list);
    } else {
      // One JSON.stringify of the array (arrayBatch, _text_batch.ts), of a
      // copy: each item is read once, as the per-item encoding does.
      // Pushed, not stored into new Array(n): JSON.stringify walks a packed
      // array faster than a holey one (about 8%, Node); `tagged` only if
      // some item is.
      const n = items.length, list: unknown[] = [];
      let tagged: boolean[] | undefined;
      for (let i = 0; i < n; i++) {
        marks[marks.length] = held.length; // no push a program replaced
        list[i] = jsonValue(items[i]);
        if (textTagged) {
          if (tagged === undefined) {
            tagged = []; // (no Array global, no fill: as at load or none)
            for (let j = 0; j < n; j++) tagged[j] = false;
          }
          tagged[i] = true;
        }
      }
      batch = arrayBatch(list, tagged);
    }
    if (checked) st.store.check(batch);
    return batch as unknown as ArrayLike<unknown>;
  }
  const raws: unknown[] = [];
  const structured = st.info === undefined;
  for (let i = 0; i < items.length; i++) {
    if (structured) marks[marks.length] = held.length;
    raws[i] = own(toRaw(st, items[i], checked));
  }
  return raws;
}

/** A raw that stays valid while we wait (encodings live in a scratch buffer). */
export function own(raw: unknown): unknown {
  if (raw instanceof Batch) return raw.own();
  if (raw instanceof TextItem) return raw; // strings are immutable
  if (ArrayBuffer.isView(raw)) {
    // An encoding's bytes: copied by the constructor (no slice: its species).
    if (viewParts(raw)!.name === "Uint8Array") return new U8(raw as Uint8Array);
    return (raw as Uint8Array).slice();
  }
  if (arrayIsArray(raw)) return raw; // made by toRaws: already ours
  if (typeof raw === "object" && raw !== null) {
    const k = raw as Keyed;
    return { key: k.key, bytes: new U8(k.bytes) }; // (a copy, as above)
  }
  return raw;
}

function priorityOf(item: unknown): number {
  const key = typeof item === "number"
    ? item
    : arrayIsArray(item)
    ? item[0]
    : undefined;
  if (typeof key !== "number") {
    throw new TypeError(
      "Cannot put item in PriorityQueue: items must be numbers or [priority, ...] arrays with a number first",
    );
  }
  if (key !== key) {
    throw new RangeError(
      "Cannot put item in PriorityQueue: NaN priority has no order",
    );
  }
  return key;
}

// What the FIFO rings copy from under TAIL's turn must run no user code
// there: a thread that exits inside it (in an own or overridden `subarray`
// or `length`, a species constructor) would leave the turn held and every
// later put waiting for good (queue/_corrupt.ts). So a caller's typed array
// (putMany's, a codec's bytes) goes in as it is only when it is a typed
// array of exactly the class the store copies (prototype checked) with none
// of what the copy reads under the turn (`length`, `subarray` and, through
// its species, `constructor`) as an own property; anything else goes in as a
// plain view of its elements, made with the intrinsic getters (they throw
// TypeError for what is not a typed array), whose properties are the
// built-in ones. (A Proxy is no view: callers send it down the item-by-item
// path, before the turn.)
const intrinsic = (key: string) =>
  Object.getOwnPropertyDescriptor(TA, key)!.get!;
const BUFFER = intrinsic("buffer");
const BYTE_OFFSET = intrinsic("byteOffset");
const LENGTH = intrinsic("length");

function plainView<A>(
  Ctor: {
    new (buffer: ArrayBufferLike, byteOffset: number, length: number): A;
    prototype: object;
  },
  view: object,
): A {
  if (
    Object.getPrototypeOf(view) === Ctor.prototype &&
    !Object.hasOwn(view, "length") && !Object.hasOwn(view, "subarray") &&
    !Object.hasOwn(view, "constructor")
  ) return view as A; // as it is: no allocation
  return new Ctor(
    BUFFER.call(view),
    BYTE_OFFSET.call(view),
    LENGTH.call(view),
  );
}
