// Copyright 2026 the threadkit authors. MIT license.
// The shape of an options argument, for every call that takes one (waits
// through _core/wait_options.ts, which re-exports these, and the queue and
// executor constructors): Python's positional forms refused, and the keys
// Python or the other call spells differently refused instead of ignored.

/**
 * Refuses what is not an options object: Python's positional forms
 * (`lock.acquire(false)`, `ev.wait(100)`, `q.get(false)`, `t.join(100)`)
 * would otherwise be read as "no options" and wait forever. `flag` names the
 * blocking flag of the call, if it has one (`blocking`, `block`); the other
 * of those two is refused in an options object (see refuseSpellings).
 * @throws {TypeError} saying what to write instead.
 */
export function checkOptions(
  verb: string,
  options: unknown,
  flag?: string,
): void {
  if (options === undefined) return;
  if (typeof options === "object" && options !== null) {
    // Python names the flag `blocking` for locks and semaphores, `block`
    // for queues, and so does threadkit: the other one, ignored, made
    // `q.get({ blocking: false })` wait forever on an empty queue. One `in`
    // on the acquire path with options, none without.
    if (flag === "blocking" && "block" in options) {
      throw misspelt(verb, "block", `blocking${FLAGS}`);
    }
    if (flag === "block" && "blocking" in options) {
      throw misspelt(verb, "blocking", `block${FLAGS}`);
    }
    return;
  }
  let instead = "an options object";
  if (typeof options === "number") instead = `{ timeout: ${options} }`;
  else if (typeof options === "boolean" && flag !== undefined) {
    instead = `{ ${flag}: ${options} }`;
  } else if (options === null) instead = "undefined or {}";
  throw new TypeError(
    `Cannot ${verb}: options must be an object, got ${
      options === null ? "null" : typeof options
    } ${
      String(options)
    }; write ${instead} (threadkit takes Python's arguments as options, timeouts in ms)`,
  );
}

/**
 * Refuses an options key that is Python's spelling, or another call's, of
 * an option this call names otherwise: `names` maps each such key to the
 * one to write. Other unknown keys are ignored, as JavaScript options are;
 * these would silently change the call (`shutdown({ cancel_futures: true })`
 * cancelled nothing, `wait(fs, { return_when })` waited for all). What is
 * not an object is left to checkOptions.
 * @throws {TypeError} naming the key to write.
 */
export function refuseSpellings(
  verb: string,
  options: unknown,
  names: Readonly<Record<string, string>>,
): void {
  if (typeof options !== "object" || options === null) return;
  // The table's own keys only: a key a program added to Object.prototype
  // is in every table and every options object.
  const keys = Object.keys(names);
  for (let i = 0; i < keys.length; i++) { // a loop calls no iterator
    if (keys[i] in options) throw misspelt(verb, keys[i], names[keys[i]]);
  }
}

const FLAGS =
  " (as Python: blocking for locks and semaphores, block for queues)";

function misspelt(verb: string, key: string, write: string): TypeError {
  return new TypeError(
    `Cannot ${verb}: ${key} is not an option of this call; write ${write}`,
  );
}
