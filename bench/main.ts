// Copyright 2026 the threadkit authors. MIT license.
// The benchmark suite: every bench/ script registers its groups, then one
// mitata run measures them all on this machine.
import { run } from "mitata";
import { register as lock } from "./lock.ts";

lock();
await run();
