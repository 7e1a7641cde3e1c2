// Copyright 2026 the threadkit authors. MIT license.
// A module target whose module replaces Object.keys when it loads (it
// imports nothing of threadkit's as it loads), as a polyfill or a program's
// own patch would: the replacement hides the keys that start with "hidden".

const keys = Object.keys;
Object.keys =
  ((o: object) =>
    keys(o).filter((k) => !k.startsWith("hidden"))) as typeof Object.keys;

/** Returns a Lock made in the thread, under a key the replacement hides. */
export async function lockResult(): Promise<unknown> {
  const { Lock } = await import("../../mod.ts");
  return { hidden: new Lock(), word: "kept" };
}
