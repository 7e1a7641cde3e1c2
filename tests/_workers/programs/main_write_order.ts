// Copyright 2026 the threadkit authors. MIT license.
// The main thread writes a line of 1 MiB to stdout in one write (more than
// a pipe holds), then a thread logs "T" and is joined (a blocking join),
// then the main thread logs "M". A write that returned comes before any
// later one: the whole line, then T, then M.
import process from "node:process";
import { Thread } from "../../../mod.ts";

process.stdout.write("x".repeat(1 << 20) + "\n");
const t = new Thread({
  target: () => {
    console.log("T");
    return 1;
  },
});
t.start();
if (!t.join({ timeout: 60_000 }) || t.result !== 1) throw new Error("no join");
console.log("M");
