// Copyright 2026 the threadkit authors. MIT license.
// How the structured FIFO ring (_text.ts) moves JSON text into and out of
// its byte region in shared memory, with the fastest means each runtime
// accepts there. No Atomics here: the ring calls these under its turns,
// which publish what they wrote (_text.ts, _turn.ts).
//
// Measured on this project's machine (a 48-byte ASCII record, CPU ns a
// call, loaded machine, Deno 2.9.6 / Node 20.20):
// | move                                              | Deno    | Node    |
// |---------------------------------------------------|---------|---------|
// | in: charCodeAt loop into the region (before)      | 134-158 | 179-273 |
// | in: TextEncoder.encodeInto into the region        | 177     | 113-169 |
// | in: Buffer.byteLength + latin1Write to the region | 576     | 77-123  |
// | in: Buffer utf8Write, room for 3 bytes a unit     | -       | 102-148 |
// |   (same process, load 10: byteLength + latin1Write 144-208)          |
// | out: byte loop + String.fromCharCode.apply (before)| 234     | 284     |
// | out: TextDecoder.decode of a region view          | 819     | 167     |
// | out: TypedArray.set to a scratch + decode         | 222     | 257     |
// | out: Buffer toString("latin1") of the region      | 94-119  | 74-98   |
// In the ring itself (JSON.stringify's strings, Node's CPU profile) the
// charCodeAt loop cost about 460 ns, encodeInto a third of that. So text
// goes in, on Node and Bun, through a Buffer over the region: a single
// item's with one native call, utf8Write, where room for 3 bytes a unit is
// found (its byte count is learnt from the write; utf8), else, and a
// batch's array text, with one native call that counts its UTF-8 bytes
// (Buffer.byteLength: the text's length exactly when every unit is ASCII,
// any other unit taking 2 or 3 bytes and a surrogate pair 4) and one
// copies it (latin1Write: each unit's low byte,
// its UTF-8 when ASCII), about half of encodeInto's cost (its Web IDL
// checks, the view it needs and the result object); else with encodeInto
// straight into the region where the runtime accepts a view of shared
// memory there, else by the charCodeAt loop (Deno: faster than both, whose
// Buffer is not native); and comes out with Buffer's latin1Slice (ASCII
// records) or utf8Slice, straight from the region with no copy (what
// toString calls after normalising its arguments; toString where they do
// not decode as it does): a runtime global in Deno, Node and Bun; else as
// before: short ASCII records by String.fromCharCode, the rest with
// TextDecoder on a copy. Buffer decodes exactly as TextDecoder does the
// UTF-8 that TextEncoder wrote (a record never starts with a BOM: it is a
// JSON text or a run of them).

import { apply, codeAt, methodCodes } from "../_core/primordials.ts";
import { fromCharCode } from "../_core/primordials.ts";
import { strSlice, sub } from "../_core/primordials.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
// RegionText.ascii's copy of a longer text (see there).
const SHORT_ASCII = 80;
let asciiCopy = new Uint8Array(1024);

// Plain ASCII texts up to this length are read with String.fromCharCode
// where there is no Buffer (about 3x faster than TextDecoder on a copy for
// a 50-byte item).
const SHORT = 256;
// Records up to this many bytes are copied in by words (RegionText.bytes).
const WORDS = 128;

/** The part of Node's Buffer the ring uses (Deno, Node and Bun have it). */
interface NodeBuffer {
  toString(encoding: "latin1" | "utf8", start: number, end: number): string;
  latin1Slice?(start: number, end: number): string;
  utf8Slice?(start: number, end: number): string;
  latin1Write?(text: string, offset: number, length: number): number;
  utf8Write?(text: string, offset: number, length: number): number;
}
type BufferClass = {
  from(b: ArrayBufferLike, offset: number, length: number): NodeBuffer;
  byteLength(text: string, encoding: "utf8"): number;
};

// Whether encodeInto writes into a view of shared memory (throws where not).
function sharedEncode(): boolean {
  try {
    const view = new Uint8Array(new SharedArrayBuffer(2));
    return encoder.encodeInto("ab", view).written === 2 && view[1] === 0x62;
  } catch {
    return false;
  }
}

// A Buffer over `u8`'s memory if the runtime has one that shares (not
// copies) shared memory and decodes as TextDecoder does; else undefined.
function bufferOver(u8: Uint8Array): NodeBuffer | undefined {
  const B = (globalThis as { Buffer?: BufferClass }).Buffer;
  if (typeof B?.from !== "function" || !sharesMemory(B)) return undefined;
  return B.from(u8.buffer, u8.byteOffset, u8.length);
}

// The Buffer class whose byteLength and latin1Write a put uses where a
// Buffer over the region writes into it (not on Deno, see above); probed
// once per Buffer class.
function writerOf(b: NodeBuffer | undefined): BufferClass | undefined {
  const B = (globalThis as { Buffer?: BufferClass }).Buffer;
  if (DENO || b === undefined || typeof b.latin1Write !== "function") return;
  if (typeof B?.byteLength !== "function" || !writesMemory(B)) return;
  return B;
}

let writeProbed: BufferClass | undefined;
let writes = false;
let utf8Writes = false;

function writesMemory(B: BufferClass): boolean {
  if (B === writeProbed) return writes;
  writeProbed = B;
  writes = utf8Writes = false;
  try {
    const probe = new Uint8Array(new SharedArrayBuffer(4));
    const b = B.from(probe.buffer, 0, 4);
    writes = b.latin1Write!("az", 1, 2) === 2 && probe[1] === 0x61 &&
      probe[2] === 0x7a && probe[3] === 0 &&
      B.byteLength("a\u00e9", "utf8") === 3;
    const u = new Uint8Array(new SharedArrayBuffer(4));
    const o = B.from(u.buffer, 0, 4); // "\u00e9z" at 1: c3 a9 7a
    utf8Writes = writes && typeof o.utf8Write === "function" &&
      o.utf8Write("\u00e9z", 1, 3) === 3 && u[0] === 0 && u[1] === 0xc3 &&
      u[2] === 0xa9 && u[3] === 0x7a;
  } catch {
    writes = utf8Writes = false;
  }
  return writes;
}

// The last Buffer class probed and the answers (probed once per class):
// whether its Buffer shares the memory, and whether latin1Slice and
// utf8Slice (what toString calls after normalising its arguments: 1.14-1.17x
// toString's speed for a 48-byte record, Node and Deno) decode as it does.
let probed: BufferClass | undefined;
let shares = false;
let slices = false;

function sharesMemory(B: BufferClass): boolean {
  if (B === probed) return shares;
  probed = B;
  shares = slices = false;
  try {
    const probe = new Uint8Array(new SharedArrayBuffer(4));
    const b = B.from(probe.buffer, 0, 4); // made first: it must see later writes
    probe.set([0x61, 0xc3, 0xa9, 0x7a]); // "aéz"
    shares = b.toString("utf8", 0, 4) === "a\u00e9z" &&
      b.toString("latin1", 0, 1) === "a";
    if (shares) slices = slicesDecode(b);
  } catch {
    shares = false;
  }
  return shares;
}

function slicesDecode(b: NodeBuffer): boolean {
  try {
    return typeof b.latin1Slice === "function" &&
      typeof b.utf8Slice === "function" &&
      b.utf8Slice(0, 4) === "a\u00e9z" && b.latin1Slice(0, 1) === "a";
  } catch {
    return false;
  }
}

const DENO = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
// encodeInto where it is fast and takes shared views (Node, Bun); Deno's
// (its Web IDL checks and the op call) cost more than the loop.
const ENCODE = !DENO && sharedEncode();
// Where a copy is decoded (grows; never shared).
let scratch = new Uint8Array(1024);

/**
 * Whether `text`, an array's JSON text ("[...]"), is all ASCII, known
 * without encoding it where puts write text with Buffer's latin1Write (Node,
 * Bun: Buffer.byteLength counts its UTF-8 bytes natively); false where they
 * do not (then the text is encoded before the turn, as before: Deno).
 * Such a batch's text goes into the region as it is (RegionText.run).
 */
export function asciiArrayText(text: string): boolean {
  const B = (globalThis as { Buffer?: BufferClass }).Buffer;
  if (DENO || typeof B?.byteLength !== "function" || !writesMemory(B)) {
    return false;
  }
  return codeAt(text, 0) === 0x5b && // "["
    codeAt(text, text.length - 1) === 0x5d && // "]"
    B.byteLength(text, "utf8") === text.length;
}

/** Moves text into and out of one ring's byte region `u8`. */
export class RegionText {
  readonly #u8: Uint8Array;
  readonly #view: DataView; // over #u8's bytes
  readonly #buf: NodeBuffer | undefined;
  readonly #slices: boolean;
  readonly #writer: BufferClass | undefined;
  /** Whether utf8() writes (Node, Bun: Buffer's utf8Write to the region). */
  readonly utf8s: boolean;

  constructor(u8: Uint8Array) {
    this.#u8 = u8;
    this.#view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
    this.#buf = bufferOver(u8);
    this.#writer = writerOf(this.#buf);
    this.#slices = this.#buf !== undefined && slices;
    this.utf8s = this.#writer !== undefined && utf8Writes;
  }

  /**
   * Where `utf8s`: writes `text`, which has no lone surrogate (a JSON
   * text), as UTF-8 at `at` in at most `max` bytes (3 a unit: all of it)
   * with one call, and returns the bytes written: `text.length` exactly
   * when every unit is ASCII (any other unit takes 2 or 3, a pair 4).
   */
  utf8(text: string, at: number, max: number): number {
    return this.#buf!.utf8Write!(text, at, max);
  }

  /**
   * Writes `text` at `at` as one byte per UTF-16 unit if every unit is
   * ASCII (then its UTF-8 encoding): true. False when a unit is not ASCII;
   * then bytes at...at + text.length may have been written (the caller has
   * not published them) and the caller encodes the text otherwise.
   */
  ascii(text: string, at: number): boolean {
    const len = text.length, u8 = this.#u8;
    const B = this.#writer;
    if (B !== undefined) {
      if (B.byteLength(text, "utf8") !== len) return false; // not all ASCII
      this.#buf!.latin1Write!(text, at, len);
      return true;
    }
    if (ENCODE) {
      // Room for exactly len bytes: all of the text was read only if every
      // unit took one byte.
      return encoder.encodeInto(text, sub(u8, at, at + len)).read === len;
    }
    // A text of more than SHORT_ASCII units: copied once by encodeInto into
    // memory that is not shared (Deno's encodeInto does not write shared
    // memory at its speed), then into the region (427 units: 0.25-0.35x
    // the loop below, at load 30). Shorter ones by the loop: encodeInto's
    // call costs 110-160 ns whatever the length, the loop 15 ns and 1.5 a
    // unit (Deno, CPU, same process: the loop 0.45x the copy at 33 units,
    // 0.96x at 72, 1.2x at 100).
    if (len > SHORT_ASCII) {
      if (asciiCopy.length < len) asciiCopy = new Uint8Array(2 * len);
      const copy = sub(asciiCopy, 0, len);
      const { read, written } = encoder.encodeInto(text, copy);
      if (read !== len || written !== len) return false; // not all ASCII
      u8.set(copy, at);
      return true;
    }
    // Two units a step: 1.30x and 1.35x one a step (Deno, 48-byte texts
    // into shared memory, CPU, paired medians of 15, two processes).
    // charCodeAt as at load (_core/primordials_text.ts): codeAt, or the
    // method where methodCodes() says it is that one.
    const m = methodCodes();
    let k = 0;
    for (; k + 1 < len; k += 2) {
      const c = m ? text.charCodeAt(k) : codeAt(text, k),
        d = m ? text.charCodeAt(k + 1) : codeAt(text, k + 1);
      if ((c | d) > 0x7f) return false;
      u8[at + k] = c;
      u8[at + k + 1] = d;
    }
    if (k < len) {
      const c = m ? text.charCodeAt(k) : codeAt(text, k);
      if (c > 0x7f) return false;
      u8[at + k] = c;
    }
    return true;
  }

  /**
   * Writes the records of an ASCII array text "[t1,...,tn]" at `at` as
   * "t1,...,tn," (text.length - 1 bytes) and returns true, if there is a
   * text (a Batch's, not yet encoded) and this region writes with
   * latin1Write; else writes nothing and returns false.
   */
  run(text: string | undefined, at: number): boolean {
    if (text === undefined || this.#writer === undefined) return false;
    const len = text.length - 2; // V8: slice makes a view, not a copy
    this.#buf!.latin1Write!(apply(strSlice, text, [1, -1]), at, len);
    this.#u8[at + len] = 0x2c; // ","
    return true;
  }

  /**
   * Copies `bytes` to `at`: a short record (a shape record, _shape.ts) 4
   * bytes a DataView store, a longer one with set(). On this machine a
   * 49-byte record cost 63-88 ns with set() on Node 20 (54-73 on Deno)
   * against 36-48 (36) by words: set() into shared memory pays a builtin's
   * entry and a relaxed copy, and a byte stored into shared memory through
   * a Uint8Array costs more than a word through a DataView.
   */
  bytes(bytes: Uint8Array, at: number): void {
    const len = bytes.length;
    if (len > WORDS) {
      this.#u8.set(bytes, at);
      return;
    }
    const view = this.#view, m = len & ~3;
    for (let k = 0; k < m; k += 4) {
      view.setInt32(
        at + k,
        bytes[k] | (bytes[k + 1] << 8) | (bytes[k + 2] << 16) |
          (bytes[k + 3] << 24),
        true,
      );
    }
    for (let k = m; k < len; k++) this.#u8[at + k] = bytes[k];
  }

  /**
   * The string of Latin-1 bytes at...at + len (a unit a byte): Buffer's
   * latin1Slice where there is one, else String.fromCharCode in chunks.
   */
  latin1(at: number, len: number): string {
    const b = this.#buf;
    if (b !== undefined) {
      return this.#slices
        ? b.latin1Slice!(at, at + len)
        : b.toString("latin1", at, at + len);
    }
    const u8 = this.#u8;
    let s = "";
    for (let k = 0; k < len; k += 4096) {
      const m = len - k < 4096 ? len - k : 4096, codes: number[] = [];
      for (let j = 0; j < m; j++) codes[j] = u8[at + k + j];
      s += apply(fromCharCode, null, codes);
    }
    return s;
  }

  /** The text of bytes at...at + len: ASCII (`ascii`) or UTF-8. */
  text(at: number, len: number, ascii: boolean): string {
    const b = this.#buf, u8 = this.#u8;
    if (b !== undefined && (ascii || len <= SHORT || !DENO)) {
      if (!this.#slices) {
        return b.toString(ascii ? "latin1" : "utf8", at, at + len);
      }
      return ascii ? b.latin1Slice!(at, at + len) : b.utf8Slice!(at, at + len);
    }
    if (ascii && len <= SHORT) {
      const codes: number[] = []; // (no Array global)
      for (let k = 0; k < len; k++) codes[k] = u8[at + k];
      return apply(fromCharCode, null, codes) as string;
    }
    // TextDecoder on a copy in memory that is not shared (browsers refuse
    // shared views; Deno copies them itself, slower).
    if (scratch.length < len) {
      scratch = new Uint8Array(
        len > 2 * scratch.length ? len : 2 * scratch.length,
      );
    }
    const copy = sub(scratch, 0, len);
    copy.set(sub(u8, at, at + len));
    return decoder.decode(copy);
  }
}
