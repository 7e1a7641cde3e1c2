// Copyright 2026 the threadkit authors. MIT license.
// The raw items of the structured FIFO ring (_text.ts): one default-codec
// item as JSON text (TextItem), and several items encoded once (Batch), with
// the record KINDs the ring's side table stores.

/** Record KINDs (bits 30-31 of a side word, _text.ts). */
export const ASCII = 0;
export const UTF8 = 1;
export const TAGGED = 2;
export const CODEC = 3;
/** The separator after every record. */
export const COMMA = 0x2c;

const encoder = new TextEncoder();

/**
 * Several items encoded once: their records back to back in `bytes` (each
 * followed by ","), `ends[k]` the end of record k, `kinds[k]` its KIND.
 */
export class Batch {
  constructor(
    readonly bytes: Uint8Array,
    readonly ends: Int32Array,
    readonly kinds: Uint8Array,
  ) {}
  get length(): number {
    return this.ends.length;
  }
  /** The largest record, for the size check. */
  largest(): number {
    let most = 0, at = 0;
    for (let k = 0; k < this.ends.length; k++) {
      if (this.ends[k] - at > most) most = this.ends[k] - at;
      at = this.ends[k];
    }
    return most;
  }
  /** A copy that stays valid while the caller waits. */
  own(): Batch {
    return new Batch(this.bytes.slice(), this.ends, this.kinds);
  }
}

/**
 * One default-codec item as JSON text: a put copies it into the region with
 * a charCodeAt loop (ASCII) or TextEncoder (otherwise), with no scratch
 * buffer in between (that copy cost as much as JSON.stringify).
 */
export class TextItem {
  /** The UTF-8 bytes, once the text turned out not to be ASCII. */
  utf8: Uint8Array | undefined = undefined;
  constructor(readonly text: string, readonly tagged: boolean) {}
}

let scratch = new Uint8Array(64 * 1024);

/**
 * A batch of JSON texts (tagged[k] says which are tagged JSON). Encodes all
 * of them with one TextEncoder call; valid until the next call (own() it).
 */
export function textBatch(texts: string[], tagged: boolean[]): Batch {
  const n = texts.length;
  const ends = new Int32Array(n);
  const kinds = new Uint8Array(n);
  const all = texts.join(",") + ",";
  const max = all.length * 3;
  if (scratch.length < max) {
    scratch = new Uint8Array(Math.max(max, scratch.length * 2));
  }
  const { written } = encoder.encodeInto(all, scratch);
  const ascii = written === all.length;
  let at = 0;
  for (let k = 0; k < n; k++) {
    at += ascii ? texts[k].length + 1 : encoder.encode(texts[k]).length + 1;
    ends[k] = at;
    kinds[k] = tagged[k] ? TAGGED : ascii ? ASCII : UTF8;
  }
  return new Batch(scratch.subarray(0, written), ends, kinds);
}

/** A batch of custom-codec encodings. */
export function bytesBatch(list: Uint8Array[]): Batch {
  let total = 0;
  for (const b of list) total += b.length + 1;
  const bytes = new Uint8Array(total);
  const ends = new Int32Array(list.length);
  let at = 0;
  for (let k = 0; k < list.length; k++) {
    bytes.set(list[k], at);
    at += list[k].length;
    bytes[at++] = COMMA;
    ends[k] = at;
  }
  return new Batch(bytes, ends, new Uint8Array(list.length).fill(CODEC));
}
