// Copyright 2026 the threadkit authors. MIT license.
// A module target whose module replaces the string and number built-ins
// when it loads (tests/_replace_text.ts: charCodeAt and fromCharCode read
// "a" as "b", String and Number give 7, ...), as a polyfill or a program's
// own patch would; it imports nothing of threadkit's as it loads, so the
// codec's modules load after it in the thread.

import { replaceText } from "../_replace_text.ts";

replaceText();

/**
 * Puts values through a Queue made in this thread and gets them back; the
 * number of values that came back other than they went (compared with ===
 * only: no replaced built-in runs in the check).
 */
export async function queueRoundTrip(): Promise<number> {
  const { Queue } = await import("../../mod.ts");
  const q = new Queue<unknown>({ capacity: 8 });
  let wrong = 0;
  const texts = ["aaaa", "caf\u00e9 aaaa", "\u4e2d\u6587 aaaa", 'a "q"\n'];
  for (let i = 0; i < texts.length; i++) {
    q.put(texts[i], { timeout: 30_000 });
    if (q.get({ timeout: 30_000 }) !== texts[i]) wrong++;
    q.put({ a: texts[i], n: 12.5, b: 12345678901234567890n }, {
      timeout: 30_000,
    });
    const o = q.get({ timeout: 30_000 }) as { a: string; n: number; b: bigint };
    if (o.a !== texts[i] || o.n !== 12.5 || o.b !== 12345678901234567890n) {
      wrong++;
    }
  }
  return wrong;
}
