// Copyright 2026 the threadkit authors. MIT license.
// An ArrayBuffer's bytes as base64 text in tagged JSON (_tagged.ts), and
// back. The built-ins are read at load and the chunks are views made with
// the constructor, not subarray (whose species lookup and iteration a
// program can replace): an encode runs no code of a program's.

import { apply, B, codeAt, fromCharCode } from "../_core/primordials.ts";
import { methodCodes, U8 } from "../_core/primordials.ts";

// btoa, atob and ArrayBuffer's byteLength getter from the record of
// load-time built-ins (_core/primordials.ts): this module may load in a
// thread after the thread's own code replaced them.
const { btoa_: toB64, atob_: fromB64, abLength: byteLength } = B;

/** Base64 of the bytes of `buffer`. */
export function toBase64(buffer: ArrayBuffer): string {
  let s = "";
  const length = apply(byteLength, buffer, []) as number;
  for (let i = 0; i < length; i += 0x8000) {
    const n = length - i < 0x8000 ? length - i : 0x8000;
    // apply takes an array-like by index: no iterator runs.
    s += apply(fromCharCode, null, new U8(buffer, i, n));
  }
  return toB64(s);
}

/** The bytes of base64 `text`. */
export function fromBase64(text: string): Uint8Array {
  const s = fromB64(text);
  const out = new U8(s.length);
  // charCodeAt as at load (_core/primordials_text.ts).
  const m = methodCodes();
  for (let i = 0; i < s.length; i++) {
    out[i] = m ? s.charCodeAt(i) : codeAt(s, i);
  }
  return out;
}

const { abResizable: RESIZABLE, abMaxLength: MAX } = B;
/** A resizable buffer's maxByteLength; undefined for a fixed-length one. */
export function maxOf(buffer: object): number | undefined {
  if (RESIZABLE === undefined || !apply(RESIZABLE, buffer, [])) {
    return undefined;
  }
  return apply(MAX!, buffer, []) as number;
}

/** Whether `buffer` (an ArrayBuffer) is detached (transferred away). */
export function isDetached(buffer: ArrayBuffer): boolean {
  try {
    void new U8(buffer, 0, 0); // throws for a detached buffer only
    return false;
  } catch {
    return true;
  }
}
