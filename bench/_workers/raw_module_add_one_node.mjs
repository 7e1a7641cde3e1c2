// Copyright 2026 the threadkit authors. MIT license.
// The raw node:worker_threads worker for the module-target start baseline on
// Node: its script imports the module a Thread's module target names
// (add_one.mjs) and answers one number with that module's addOne of it.
import { parentPort } from "node:worker_threads";
import { addOne } from "./add_one.mjs";

parentPort.once("message", (n) => parentPort.postMessage(addOne(n)));
