// Copyright 2026 the threadkit authors. MIT license.
// Writes thread/_worker_bundle.js: the worker entry (thread/_worker.ts) and
// its static imports in one file, which every thread on Deno starts in
// (_core/adapter.ts). A web worker on Deno 2.9.6 loads each module of its
// static graph before it runs any (reads it, analyses its imports, compiles
// it): the entry's 11 modules, 89 KB of commented TypeScript, took 2-8 ms
// more than one 20 KB file (bench/start_ab.ts; BENCHMARKS.md "Thread start
// without a spare").
//
//   deno run -A scripts/bundle_entry.ts [--check]
//
// With --check it writes nothing and exits 1 when the file is not what the
// sources give (tests/thread/entry_bundle_test.ts runs it in the suite).
//
// Before it writes, it checks the things that make a bundle of the entry
// safe, and fails when one does not hold:
// - Lazy imports: every `import(new URL("...", import.meta.url).href)` of a
//   bundled module names the same file from thread/ (where the bundle is) as
//   from its own folder, since in the bundle import.meta.url is the bundle's.
// - State: a thread that later loads the package runs a second copy of each
//   bundled module. Every module-level value that must be one per thread
//   lives on the global, created by whichever copy runs first: the runtime
//   under one key for every copy of the package (_core/runtime.ts: one
//   thread table per thread), and through threadState (_core/host.ts) under
//   a key of the package's root, which the bundle names as its modules do
//   (it is one folder below the root, as they are; checked below), so that
//   another copy of the package keeps its own: _core/entry.ts's override,
//   thread/_handles.ts's registry, _core/spare_block.ts's kept spares,
//   _core/scope.ts's loaded names, _core/at_stop.ts's stop hooks. What is
//   left in a copy is constants, pure functions and caches of the same value
//   (host.ts's node:worker_threads): a bundled module's module-level `let`/
//   `var`, or a collection or object made at load, must be listed in STATE
//   with the reason, or the script fails (stateProblems). Classes are the one thing a copy cannot share (a
//   second class fails `instanceof`), so the bundle may define only the
//   classes in CLASSES, each with why no instance of the bundle's copy
//   reaches code that could test it.
// - Eager functions: the functions a cold start runs before its outcome
//   (EAGER) are parenthesized function expressions at the top of the
//   bundle, which V8 compiles with the module instead of at their first
//   call (see eager()).
// - Load-time built-ins: the bundle holds _core/primordials_record.ts (the
//   entry imports it through _core/host.ts), whose loadTimeBuiltins runs as
//   the bundle loads (compiled eagerly, EAGER) and keeps the realm's
//   built-ins in the record that the codec's modules, loading later in the
//   thread, take. A thread's own code (its target's module, or its source)
//   comes with the start message, so it runs only after the bundle has run:
//   the record holds the built-ins as they were before any of it.

import { urlImports } from "./check_imports.ts";

/** The classes the bundle may define, and why its copy is harmless. */
const CLASSES: Readonly<Record<string, string>> = {
  // _core/errors.ts, through host.ts: workerThreads() throws it only in a
  // node:worker_threads worker without node:worker_threads, which cannot be.
  RuntimeError: "base of ThreadsUnavailableError, never constructed",
  ThreadsUnavailableError: "thrown only where no worker can run the entry",
};

/**
 * The module-level variables the bundled modules (other than the entry's
 * own, thread/_worker.ts, which only the bundle holds) may keep, and why a
 * copy of each per copy of the module is harmless. Any other one would be
 * split between the bundle's copy and the package's: per-thread state lives
 * in threadState (_core/host.ts).
 */
const STATE: Readonly<Record<string, string>> = {
  "_core/host.ts nodeWorkerThreads":
    "a cache of the runtime's node:worker_threads module, the same in every copy",
  "_core/host.ts proxyTest":
    "a cache of the runtime's node:util types.isProxy (or a function that answers false), the same in every copy",
  "_core/host.ts slotTests":
    "a cache of the runtime's node:util types (slot tests), the same in every copy",
  "_core/host.ts NAMES": "a constant list of names, never written",
  "_core/json.ts read":
    "a count for tests of characters the renaming pass searched; each copy counts its own parses",
  "_core/names.ts encoder": "a TextEncoder made on first use, stateless",
  "_core/names.ts decoder":
    "a TextDecoder made on first use, used without streaming (no state between calls)",
  "_core/names.ts written":
    "the NAME_SEQ value of this copy's last writeName, read by the same copy right after it with no call between (reserveEntry, renameName)",
  "_core/overflow.ts ROOM_ARGS":
    "the room check's arguments: a constant array of zeros, never written",
  "_core/overflow.ts PORTS_ARGS":
    "the room check's arguments: a constant array of zeros, never written",
  "_core/runtime.ts cached":
    "a cache of the thread's runtime, read from the global (the entry adopts it before any user code runs)",
  "_core/scope.ts SCOPE_NAMES": "a constant set of names, never changed",
  "_core/downlevel.ts DOWNLEVEL_HELPERS": "constant helper sources",
  "_core/target.ts paths":
    "a cache of native functions' globalThis paths, found again by a copy that lacks an entry",
};

/**
 * The functions a cold start runs, in order, up to its outcome. V8 compiles
 * a function declaration lazily, at its first call (a full parse of its
 * text, then bytecode), and a parenthesized function expression eagerly,
 * with the module that holds it (its heuristic for functions called at
 * once). In a fresh worker a first call cost 0.12-0.19 ms for
 * installHooks and about 0.16 ms for run (Deno 2.9.6, timestamps in the
 * worker, 25 starts, p10), and the same function as a parenthesized
 * expression 0.00 ms, with no measurable cost to the module's load
 * (BENCHMARKS.md, "Thread start without a spare"). Functions a cold start
 * does not run stay lazy: eager, they would cost every start their compile.
 */
export const EAGER: readonly string[] = [
  "loadTimeBuiltins",
  "run",
  "adoptRuntime",
  "tableView",
  "watchDeath",
  "installHooks",
  "compilePlain",
  "folderAbove",
  "threadState",
  "needsScope",
  "containsName",
  "compileSource",
  "call",
  "post",
  "finalName",
  "entryName",
  "readNameSeq",
  "evenSeq",
  "writeResult",
  "encodeValue",
  "writeText",
  "endEntry",
  "ping",
];

const ROOT = new URL("..", import.meta.url);
const ENTRY = new URL("thread/_worker.ts", ROOT);
const RECORD = new URL("_core/primordials_record.ts", ROOT);
const OUT = new URL("thread/_worker_bundle.js", ROOT);

const HEADER = `// Copyright 2026 the threadkit authors. MIT license.
// GENERATED by scripts/bundle_entry.ts from thread/_worker.ts and its static
// imports; do not edit (edit those and run the script). The worker entry that
// threads start in on Deno (_core/adapter.ts); the script says why one file,
// and why its copies of the modules keep one state per thread.
`;

async function run(args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  if (!out.success) {
    throw new Error(
      `deno ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

/** The problems with bundling `modules` (file URLs) into OUT. */
export function urlProblems(modules: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [specifier, text] of Object.entries(modules)) {
    for (const spec of urlImports(text)) {
      const own = new URL(spec, specifier).href;
      const there = new URL(spec, OUT).href;
      if (own !== there) {
        out.push(
          `${specifier}: import(new URL("${spec}", import.meta.url).href) names ${own} there, ${there} in the bundle`,
        );
      }
    }
  }
  return out;
}

/**
 * The module-level state of `modules` (file URLs -> source) that is not in
 * STATE: a mutable variable, or a collection or object literal made at load.
 */
export function stateProblems(modules: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [specifier, text] of Object.entries(modules)) {
    const file = specifier.startsWith(ROOT.href)
      ? specifier.slice(ROOT.href.length)
      : specifier;
    if (file === "thread/_worker.ts") continue;
    for (
      const m of text.matchAll(
        /^(?:export )?(?:let|var) (\w+)|^(?:export )?const (\w+)\b[^=]*= *(?:new (?:Set|Map|WeakMap|WeakSet|FinalizationRegistry|Array)\b|\[|\{)/gm,
      )
    ) {
      const name = m[1] ?? m[2];
      if (!(`${file} ${name}` in STATE)) {
        out.push(
          `${file}: module-level ${name} would be one per copy of the module (the bundle's and the package's); keep per-thread state in threadState (_core/host.ts), or list it in STATE with why a copy of its own is harmless`,
        );
      }
    }
  }
  return out;
}

/** The problems with the classes a bundle's text defines. */
export function classProblems(bundle: string): string[] {
  const out: string[] = [];
  for (
    const m of bundle.matchAll(
      /^(?:var|let|const) (\w+) = class\b|^class (\w+)/gm,
    )
  ) {
    const name = m[1] ?? m[2];
    if (!(name in CLASSES)) {
      out.push(
        `the bundle defines class ${name}: a second copy of it would fail instanceof in a thread that loads the package`,
      );
    }
  }
  return out;
}

/**
 * `bundle` with each EAGER function's declaration moved to the top of the
 * module as a parenthesized function expression bound to the same name, in
 * EAGER's order, and the problems found (a name not declared at the start
 * of a line, or with no closing line "}": esbuild writes a top-level
 * declaration so). At the top, each is defined before any of the module's
 * code runs, as a hoisted declaration was; it closes over the same module
 * scope, and its names are looked up when it runs, as before.
 */
export function eager(
  bundle: string,
  names: readonly string[] = EAGER,
): { text: string; problems: string[] } {
  let text = bundle;
  const problems: string[] = [];
  const moved: string[] = [];
  for (const name of names) {
    const head = new RegExp(`^(async )?function ${name}\\(`, "m").exec(text);
    const end = head === null ? -1 : text.indexOf("\n}\n", head.index);
    if (head === null || end < 0) {
      problems.push(
        `EAGER names ${name}, which the bundle does not declare at the start of a line, closed by a line "}"`,
      );
      continue;
    }
    const body = text.slice(head.index + head[0].length, end);
    // A line "}" inside the function (in a template literal, the one
    // literal that spans lines) would end the cut early: then a template is
    // left open or the braces do not pair up with the closing one.
    const count = (c: string) => body.split(c).length - 1;
    if (count("`") % 2 !== 0 || count("{") !== count("}") + 1) {
      problems.push(
        `${name}: a template literal or its braces left open up to its first line "}"`,
      );
      continue;
    }
    moved.push(
      `var ${name} = (${head[1] ?? ""}function ${name}(${body}\n});\n`,
    );
    text = text.slice(0, head.index) + text.slice(end + 3);
  }
  // Before the first module's section (its comment names its file).
  const at = /^\/\/ [\w/.-]+\.ts$/m.exec(text)?.index ?? 0;
  return {
    text: text.slice(0, at) +
      "// Compiled with the module (scripts/bundle_entry.ts, EAGER).\n" +
      moved.join("") + "\n" + text.slice(at),
    problems,
  };
}

async function bundle(): Promise<string> {
  const info = JSON.parse(await run(["info", "--json", ENTRY.href])) as {
    modules: { specifier: string }[];
  };
  const texts: Record<string, string> = {};
  for (const { specifier } of info.modules) {
    if (specifier.startsWith(ROOT.href)) {
      texts[specifier] = await Deno.readTextFile(new URL(specifier));
    }
  }
  const scratch = await Deno.makeTempDir();
  try {
    const file = `${scratch}/entry.js`;
    await run(["bundle", "--quiet", ENTRY.href, "-o", file]);
    const made = eager(HEADER + await Deno.readTextFile(file));
    const text = made.text;
    // The modules the bundle holds (its section comments name them).
    const held = new Set(
      [...text.matchAll(/^\/\/ ([\w/.-]+\.ts)$/gm)].map((m) =>
        new URL(m[1], ROOT).href
      ),
    );
    const problems = [
      ...urlProblems(texts),
      ...stateProblems(
        Object.fromEntries(
          Object.entries(texts).filter(([specifier]) => held.has(specifier)),
        ),
      ),
      ...classProblems(text),
      ...made.problems,
    ];
    // The record of load-time built-ins, taken as the bundle runs.
    if (!held.has(RECORD.href)) {
      problems.push(
        "the bundle does not hold _core/primordials_record.ts: a thread's own code could replace a built-in before the codec takes the record",
      );
    }
    // threadState's key names the root as new URL("..", import.meta.url).
    for (const specifier of [...Object.keys(texts), OUT.href]) {
      if (new URL("..", specifier).href !== ROOT.href) {
        problems.push(`${specifier} is not one folder below the root`);
      }
    }
    if (problems.length > 0) throw new Error(problems.join("\n"));
    return text;
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
}

if (import.meta.main) {
  const text = await bundle();
  if (Deno.args.includes("--check")) {
    const now = await Deno.readTextFile(OUT).catch(() => "");
    if (now !== text) {
      console.error(
        "thread/_worker_bundle.js is out of date: run deno run -A scripts/bundle_entry.ts",
      );
      Deno.exit(1);
    }
    console.log("thread/_worker_bundle.js is up to date");
  } else {
    await Deno.writeTextFile(OUT, text);
    console.log(`wrote thread/_worker_bundle.js (${text.length} chars)`);
  }
}
