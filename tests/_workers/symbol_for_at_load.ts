// Copyright 2026 the threadkit authors. MIT license.
// A module target whose body, as it loads, replaces Symbol.for with one that
// gives a symbol of its own for any key that starts with "threadkit." (as an
// isolating wrapper of the global symbol registry might): threadkit's
// modules that load after it in the thread (the codec, the package) take
// their per-thread keys (the runtime's, threadState's) from Symbol.for when
// they load. It imports nothing of threadkit's as it loads.

const registryFor = Symbol.for;
const own = new Map<string, symbol>();
Symbol.for = (key: string) => {
  if (!String(key).startsWith("threadkit.")) return registryFor(key);
  let s = own.get(key);
  if (s === undefined) own.set(key, s = Symbol(key));
  return s;
};

/** This thread's ident as the package sees it, and a Lock made here, held. */
export async function identAndLock(): Promise<unknown> {
  const { getIdent, Lock } = await import("../../mod.ts");
  const lock = new Lock();
  lock.acquire();
  return { ident: getIdent(), lock };
}
