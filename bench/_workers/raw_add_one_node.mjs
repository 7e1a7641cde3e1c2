// Copyright 2026 the threadkit authors. MIT license.
// The raw node:worker_threads worker for the thread-start baseline (Node, and
// Deno's node:worker_threads): answers one number with that number plus one.
import { parentPort } from "node:worker_threads";

parentPort.once("message", (n) => parentPort.postMessage(n + 1));
