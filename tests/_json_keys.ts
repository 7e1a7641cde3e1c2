// Copyright 2026 the threadkit authors. MIT license.
// V8's JSON.parse misreading of escaped object keys (chromium issue
// 521080746; _core/json.ts says what it is): the keys that meet it, the
// texts that poison a parser, and a characterization of this engine.
// Poison is a function whose source a thread target can run too (it uses
// nothing from outside itself).

/** Keys JSON.stringify escapes, one of each kind, and a few longer ones. */
export const ESCAPED_KEYS: readonly string[] = [
  '"',
  "\\",
  "\n",
  "\t",
  "\u0000",
  "\u0001",
  "\u001f",
  "\ud800",
  "\udc00",
  "a\n",
  "a\\",
  "\\n",
  'q"',
  "\u0000threadkit",
];

/**
 * Parses texts that leave poisoned transitions in this thread's parser:
 * keys holding a backslash after "x", "y" and "k" (each value kind), so an
 * escaped key read after one of those may come back as one of them.
 * Self-contained: thread targets run `(${poisonJson})()`.
 */
export function poisonJson(): number {
  let n = 0;
  const poisons = ["\\", "a\\", "\\\\", "q\\", "\\\\\\"];
  for (const pre of ["x", "y", "k", "a", "id"]) {
    for (const v of ["null", "1", '"s"', "{}", "[]", "1.5"]) {
      for (const p of poisons) {
        const key = JSON.stringify(p);
        JSON.parse(`{"${pre}":${v},${key}:1}`);
        JSON.parse(`{"${pre}":${v},${key}:{"${pre}":${v},${key}:1}}`);
        JSON.parse(`[{"${pre}":${v},${key}:1,"y":2}]`);
        n++;
      }
    }
  }
  return n;
}

/** One misreading the characterization found. */
export interface Misread {
  poison: string;
  victim: string;
  where: string;
  got: string;
}

/**
 * Which escaped keys this engine's JSON.parse reads as another key after a
 * poisoning parse (empty on an engine without the bug): each poison key
 * against each victim, as the second and the first key, nested, and in a
 * second object of the same array. Each pair uses a key of its own before,
 * so one pair's poison does not reach another.
 */
export function characterize(): Misread[] {
  const out: Misread[] = [];
  let n = 0;
  const keys = [...ESCAPED_KEYS, "ab", "\\\\", "\u0041"];
  for (const p of keys) {
    for (const v of keys) {
      if (p === v) continue;
      const pk = JSON.stringify(p), vk = JSON.stringify(v), i = n++;
      const cases: [string, string, string, (o: never) => string][] = [
        [
          "second",
          `{"c${i}":0,${pk}:1}`,
          `{"c${i}":0,${vk}:1}`,
          (o) => Object.keys(o)[1],
        ],
        ["first", `{${pk}:1}`, `{${vk}:1}`, (o) => Object.keys(o)[0]],
        [
          "nested",
          `{"n${i}":{"c${i}":0,${pk}:1}}`,
          `{"n${i}":{"c${i}":0,${vk}:1}}`,
          (o: Record<string, object>) => Object.keys(o[`n${i}`])[1],
        ],
        [
          "array",
          "[]",
          `[{"d${i}":0,${pk}:1},{"d${i}":0,${vk}:1}]`,
          (o: object[]) => Object.keys(o[1])[1],
        ],
      ];
      for (const [where, poison, victim, pick] of cases) {
        JSON.parse(poison);
        const got = pick(JSON.parse(victim) as never);
        if (got !== v) out.push({ poison: p, victim: v, where, got });
      }
    }
  }
  return out;
}

if (import.meta.main) {
  const found = characterize();
  for (const m of found) {
    console.log(
      `${m.where}: after ${JSON.stringify(m.poison)}, ${
        JSON.stringify(m.victim)
      } read as ${JSON.stringify(m.got)}`,
    );
  }
  console.log(`${found.length} misreadings`);
}
