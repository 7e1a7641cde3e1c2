// Copyright 2026 the threadkit authors. MIT license.
// The raw items of the structured FIFO ring (_text.ts): one default-codec
// item as JSON text (TextItem), and several items encoded once (Batch: an
// array's JSON text, arrayBatch, or custom-codec bytes), with the record
// KINDs the ring's side table stores.

/** Record KINDs (bits 30-31 of a side word, _text.ts). */
export const ASCII = 0;
export const UTF8 = 1;
export const TAGGED = 2;
export const CODEC = 3;
/** The separator after every record. */
export const COMMA = 0x2c;

import {
  apply,
  jsonStringify,
  strSlice,
  sub,
  U8,
} from "../_core/primordials.ts";
import { asciiArrayText } from "./_text_io.ts";

const encoder = new TextEncoder();

/**
 * Several items encoded once: their records back to back in `bytes` (each
 * followed by ","), `ends[k]` the end of record k, `kinds[k]` its KIND.
 * A batch of plain items alone may be unsplit (`split` false): `bytes` is
 * the array's JSON text with its brackets dropped, every record of KIND
 * `kind`, and the records' ends are found only when needed (ends, kinds:
 * one scan, recordEnds), since the ring can store and take such a run
 * whole without them (_text.ts: unsplit runs).
 */
export class Batch {
  #bytes: Uint8Array | undefined;
  #ends: Int32Array | undefined;
  #kinds: Uint8Array | undefined;
  readonly #text: string | undefined;
  constructor(
    bytes: Uint8Array | undefined,
    ends: Int32Array | undefined,
    kinds: Uint8Array | undefined,
    /** The number of items. */
    readonly length: number,
    /** The KIND of every record of an unsplit batch. */
    readonly kind: number = ASCII,
    /** An unsplit ASCII batch's array text, when `bytes` is not given. */
    text?: string,
  ) {
    this.#bytes = bytes;
    this.#ends = ends;
    this.#kinds = kinds;
    this.#text = text;
  }
  /**
   * The records' bytes. A batch made from its text (asciiArrayText,
   * _text_io.ts) encodes them only when asked: the ring writes the text
   * itself when it takes the batch whole (RegionText.run).
   */
  get bytes(): Uint8Array {
    if (this.#bytes === undefined) {
      const text = this.#text!, bytes = new Uint8Array(text.length - 1);
      encoder.encodeInto(apply(strSlice, text, [1, -1]), bytes); // ASCII
      bytes[bytes.length - 1] = COMMA;
      this.#bytes = bytes;
    }
    return this.#bytes;
  }
  /** The array text "[t1,...,tn]" of a batch whose bytes are not made yet. */
  get text(): string | undefined {
    return this.#bytes === undefined ? this.#text : undefined;
  }
  /** How many bytes the records take ("t1,...,tn,"). */
  get byteLength(): number {
    return this.#bytes === undefined
      ? this.#text!.length - 1
      : this.#bytes.length;
  }
  /** Whether the records' ends are known (see the class). */
  get split(): boolean {
    return this.#ends !== undefined;
  }
  /** Finds the records' ends now (making the bytes first if need be). */
  findEnds(): Int32Array {
    return this.ends;
  }
  get ends(): Int32Array {
    if (this.#ends === undefined) {
      const ends = new Int32Array(this.length);
      if (recordEnds(this.bytes, 0, this.bytes.length, ends) !== this.length) {
        throw new RangeError("Cannot put items: their JSON text did not split");
      }
      this.#ends = ends;
    }
    return this.#ends;
  }
  get kinds(): Uint8Array {
    return this.#kinds ??= new Uint8Array(this.length).fill(this.kind);
  }
  /**
   * The bytes record `from` takes, its "," included: a waiting putter's
   * look for room (_room.ts). It leaves an unsplit batch unsplit: a batch
   * whose ends are known goes in split (_text.ts tryPutMany), so a look
   * that found them made a putMany that waited past a slice end go in
   * record by record once room came. Such a batch (nothing of it put yet:
   * `from` 0) has its first record's end found by a scan that stops at the
   * second's, and kept nowhere.
   */
  recordBytes(from: number): number {
    if (this.#ends === undefined && from === 0) {
      const first = new Int32Array(1);
      recordEnds(this.bytes, 0, this.bytes.length, first);
      return first[0];
    }
    const ends = this.ends;
    return ends[from] - (from === 0 ? 0 : ends[from - 1]);
  }
  /** The largest record from record `from` on, for the size check. */
  largest(from = 0): number {
    const ends = this.ends;
    let most = 0, at = from === 0 ? 0 : ends[from - 1];
    for (let k = from; k < ends.length; k++) {
      if (ends[k] - at > most) most = ends[k] - at;
      at = ends[k];
    }
    return most;
  }
  /** A copy that stays valid while the caller waits. */
  own(): Batch {
    if (this.#bytes === undefined) return this; // its text and no scratch
    return new Batch(
      new U8(this.bytes), // (a copy by the constructor as at load)
      this.#ends,
      this.#kinds,
      this.length,
      this.kind,
    );
  }
}

/**
 * Finds the ends of the records in b[from...end), JSON texts each followed
 * by "," (the last one's included), into `ends` (relative to `from`, at
 * most ends.length of them); returns how many records there were, or
 * ends.length + 1 if more. The element boundaries are the commas outside
 * strings at depth 0: JSON.stringify writes no white space, every string
 * between unescaped quotes (a quote inside one is \" and a backslash \\),
 * and UTF-8 continuation and lead bytes are all >= 0x80, so a byte scan
 * that skips strings finds them exactly.
 */
export function recordEnds(
  b: Uint8Array,
  from: number,
  end: number,
  ends: Int32Array,
): number {
  let depth = 0, k = 0;
  const most = ends.length;
  for (let i = from; i < end; i++) {
    const c = b[i];
    if (c === QUOTE) {
      for (i++; i < end; i++) { // to the string's closing quote
        const d = b[i];
        if (d === QUOTE) break;
        if (d === BACKSLASH) i++; // an escape: skip what it escapes
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
    else if (c === COMMA && depth === 0) {
      if (k === most) return most + 1;
      ends[k++] = i + 1 - from;
    }
  }
  return k;
}

/**
 * One default-codec item as JSON text: a put copies it into the region as
 * ASCII (_text_io.ts) or, once that failed, as its UTF-8 bytes, with no
 * scratch buffer in between (that copy cost as much as JSON.stringify).
 */
export class TextItem {
  /** The UTF-8 bytes, once the text turned out not to be ASCII. */
  utf8: Uint8Array | undefined = undefined;
  constructor(readonly text: string, readonly tagged: boolean) {}
}

let scratch = new Uint8Array(64 * 1024);

/**
 * A batch of `list`, each element an item or its tagged form (`tagged[k]`
 * says which, _codec.ts jsonValue; undefined: none is): one JSON.stringify of the whole array,
 * encoded with one TextEncoder call (splitArray); else, where the program
 * defined a `toJSON` that JSON.stringify would call on the array itself (on
 * Array.prototype or Object.prototype) or the text is not the array's, one
 * JSON.stringify per element (textBatch). Valid until the next call (own()
 * it).
 *
 * One JSON.stringify of the whole array costs a fraction of n calls (Deno
 * 2.9.6: 59 us against 276 us for 1000 small objects with the join; Node
 * 20: 194 against 393).
 */
export function arrayBatch(
  list: unknown[],
  tagged: boolean[] | undefined,
): Batch {
  if (list.length === 0) {
    return new Batch(
      new Uint8Array(0),
      new Int32Array(0),
      new Uint8Array(0),
      0,
    );
  }
  if (!("toJSON" in list)) {
    const batch = splitArray(jsonStringify(list), list.length, tagged);
    if (batch !== undefined) return batch;
  }
  const texts = new Array<string>(list.length);
  for (let k = 0; k < list.length; k++) texts[k] = jsonStringify(list[k]);
  return textBatch(texts, tagged);
}

// The batch of an array's JSON text `text` of n elements,
// or undefined if it is not one ("[", then elements, "]").
// The records the ring stores are the array's elements as they stand:
// "[t1,...,tn]" with its "]" made a "," is "t1,...,tn," after the "[".
// When no element is tagged the batch is left unsplit: the scan for the
// elements' ends (recordEnds: about as long as the JSON.stringify itself)
// is made only if the ring needs them, and it cannot find other than n
// elements: each element of `list` (a JSON-exact snapshot or a tagged
// form, _codec.ts jsonValue) stringifies to one JSON value, and no toJSON is called on the
// array. Otherwise the ends are found here, and the count is checked.
function splitArray(
  text: string,
  n: number,
  tagged: boolean[] | undefined,
): Batch | undefined {
  const plain = tagged === undefined;
  // Node, Bun: an ASCII text is kept as it is, and written into the region
  // under the turn with no encoded copy in between (about 40% less than
  // encodeInto to the scratch and its copy to the region, 48 KB, Node).
  if (plain && asciiArrayText(text)) {
    return new Batch(undefined, undefined, undefined, n, ASCII, text);
  }
  const max = text.length * 3;
  if (scratch.length < max) {
    scratch = new Uint8Array(
      max > 2 * scratch.length ? max : 2 * scratch.length,
    );
  }
  const b = scratch;
  const { written } = encoder.encodeInto(text, b);
  if (b[0] !== OPEN_BRACKET || b[written - 1] !== CLOSE_BRACKET) return;
  const ascii = written === text.length;
  b[written - 1] = COMMA;
  const bytes = sub(b, 1, written);
  if (plain) {
    return new Batch(bytes, undefined, undefined, n, ascii ? ASCII : UTF8);
  }
  const ends = new Int32Array(n);
  if (recordEnds(bytes, 0, bytes.length, ends) !== n) return;
  const kinds = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    kinds[j] = tagged![j] ? TAGGED : ascii ? ASCII : UTF8;
  }
  return new Batch(bytes, ends, kinds, n);
}

/**
 * A batch of JSON texts (tagged[k] says which are tagged JSON). Encodes all
 * of them with one TextEncoder call; valid until the next call (own() it).
 */
function textBatch(texts: string[], tagged: boolean[] | undefined): Batch {
  const n = texts.length;
  const ends = new Int32Array(n);
  const kinds = new Uint8Array(n);
  let all = ""; // (no join: a program may replace it)
  for (let k = 0; k < n; k++) all += texts[k] + ",";
  const max = all.length * 3;
  if (scratch.length < max) {
    scratch = new Uint8Array(
      max > 2 * scratch.length ? max : 2 * scratch.length,
    );
  }
  const { written } = encoder.encodeInto(all, scratch);
  const ascii = written === all.length;
  let at = 0;
  for (let k = 0; k < n; k++) {
    at += ascii ? texts[k].length + 1 : encoder.encode(texts[k]).length + 1;
    ends[k] = at;
    kinds[k] = tagged?.[k] ? TAGGED : ascii ? ASCII : UTF8;
  }
  return new Batch(sub(scratch, 0, written), ends, kinds, n);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** A batch of custom-codec encodings. */
export function bytesBatch(list: Uint8Array[]): Batch {
  let total = 0;
  for (let k = 0; k < list.length; k++) total += list[k].length + 1;
  const bytes = new Uint8Array(total);
  const ends = new Int32Array(list.length);
  let at = 0;
  for (let k = 0; k < list.length; k++) {
    bytes.set(list[k], at);
    at += list[k].length;
    bytes[at++] = COMMA;
    ends[k] = at;
  }
  return new Batch(
    bytes,
    ends,
    new Uint8Array(list.length).fill(CODEC),
    list.length,
  );
}
