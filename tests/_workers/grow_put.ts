// Copyright 2026 the threadkit authors. MIT license.
// A thread that makes one blocking put into an unbounded queue whose
// newest segment must grow, behind a holder the test stalled:
// tests/queue/grow_wait_test.ts.
import { CancelledError, type Queue, QueueFullError } from "../../mod.ts";

/**
 * Sets flag[0] (and wakes it), then makes `form` ("put": put("z"),
 * "putNowait", "putMany": putMany(["x", "y"])) with `timeout` (none if
 * undefined). Returns how it ended ("put", "Full", "Cancelled", or the
 * error) and the ms it took.
 */
export function putBlocking(
  q: Queue<string>,
  form: string,
  timeout: number | undefined,
  flag: Int32Array,
): [string, number] {
  const options = timeout === undefined ? undefined : { timeout };
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  const t0 = performance.now();
  let out = "put";
  try {
    if (form === "put") q.put("z", options);
    else if (form === "putNowait") q.putNowait("z");
    else out += ` ${q.putMany(["x", "y"], options)}`;
  } catch (error) {
    out = error instanceof QueueFullError
      ? "Full"
      : error instanceof CancelledError
      ? "Cancelled"
      : String(error);
  }
  return [out, performance.now() - t0];
}
