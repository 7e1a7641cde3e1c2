// Copyright 2026 the threadkit authors. MIT license.
// A worker entry of a program's own (what tests/_workers/_url_polyfill.ts
// names for threadkit's): it is handed threadkit's start record, and exits.
console.error("a program's worker entry got threadkit's start record");
const g = globalThis as {
  process?: { exit(code: number): never };
  close?: () => void;
};
if (g.process !== undefined && !("WorkerGlobalScope" in globalThis)) {
  g.process.exit(3);
} else g.close?.();
