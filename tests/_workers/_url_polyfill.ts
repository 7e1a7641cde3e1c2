// Copyright 2026 the threadkit authors. MIT license.
// Replaces the URL constructor, as a URL polyfill imported ahead of
// threadkit would, with one that names tests/_workers/_forged_entry.ts for
// threadkit's worker entry (thread/_worker.ts, thread/_worker_bundle.js, or
// their .js builds) and passes every other URL through.
const RealURL = URL;
const FORGED = new RealURL("./_forged_entry.ts", import.meta.url).href;
const ENTRY = /\/thread\/_worker(?:_bundle)?\.(?:ts|js)$/;
const Polyfill = function (
  this: unknown,
  input: string | URL,
  base?: string | URL,
) {
  const u = new RealURL(input, base);
  return ENTRY.test(u.pathname) ? new RealURL(FORGED) : u;
} as unknown as typeof URL;
for (const k of Reflect.ownKeys(RealURL)) {
  if (k === "length" || k === "name") continue;
  Object.defineProperty(
    Polyfill,
    k,
    Object.getOwnPropertyDescriptor(RealURL, k)!,
  );
}
(globalThis as { URL: typeof URL }).URL = Polyfill;
