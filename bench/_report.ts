// Copyright 2026 the threadkit authors. MIT license.
// Figures a benchmark knows beside its time per iteration (operations per
// iteration, ownership handoffs), keyed by the mitata bench name, for the
// summary table and the --json file.

/** What a benchmark adds to its time per iteration. */
export interface Note {
  /** Operations (lock pairs, items, round trips) one iteration performs. */
  ops?: number;
  /** Ownership handoffs per operation, over the checked rounds. */
  handoffsPerOp?: number;
}

const notes = new Map<string, Note>();

/** Records (merges) a note for the bench named `name`. */
export function note(name: string, n: Note): void {
  notes.set(name, { ...notes.get(name), ...n });
}

/** The note recorded for `name`, if any. */
export function noteOf(name: string): Note | undefined {
  return notes.get(name);
}
