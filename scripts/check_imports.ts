// Copyright 2026 the threadkit authors. MIT license.
// The gate's check of the architecture (ARCHITECTURE.md): imports run one
// way between the layers, no file takes part in an import cycle, and no
// library file grows past MAX_LINES. Reads the module graph from
// `deno info --json` over every library file, so it sees what Deno sees:
// static, type-only and dynamic imports alike.
//
//   deno run -A scripts/check_imports.ts [DIR]
//
// Prints one line per violation and exits 1 when there is any. The rules are
// data (LAYERS, ALLOWED_DYNAMIC) and the analysis is a pure function
// (findViolations), so a test can plant a cycle or an upward import in a
// graph and see it fail.

/** Which folders each layer may import from (its own included). */
export const LAYERS: Readonly<Record<string, readonly string[]>> = {
  // The ground floor: runtime block, placement, transfer, wait, adapter,
  // errors, target compilation. Imports nothing above it.
  "_core": ["_core"],
  // Primitives and threads stand on the core only, side by side.
  "sync": ["_core", "sync"],
  "thread": ["_core", "thread"],
  // Queues use sync/'s locks.
  "queue": ["_core", "sync", "queue"],
  // The executor stands on all three: Thread for its pool threads, Queue
  // for its task and free-slot indices, the core for the rest.
  "pool": ["_core", "sync", "thread", "queue", "pool"],
  // The package root (mod.ts) re-exports everything.
  ".": ["_core", "sync", "thread", "queue", "pool", "."],
};

/**
 * Dynamic imports allowed against the layers, as [importer, imported]: the
 * one core module that loads the package's public names for source functions
 * (_core/scope.ts). It is not part of any cycle check: it runs on demand,
 * after the package has loaded.
 */
export const ALLOWED_DYNAMIC: readonly (readonly [string, string])[] = [
  ["_core/scope.ts", "mod.ts"],
  // The worker entry imports the executor's pool-thread loop by an internal
  // specifier ("threadkit:pool"), statically named so bundlers follow it.
  ["thread/_worker.ts", "pool/_thread.ts"],
];

/** Most lines a library file may have. */
export const MAX_LINES = 500;

/** The parts of a `deno info --json` module that the check reads. */
export interface GraphModule {
  readonly specifier: string;
  readonly dependencies?: readonly {
    readonly code?: { readonly specifier: string };
    readonly type?: { readonly specifier: string };
    readonly isDynamic?: boolean;
  }[];
}

/**
 * The violations in `modules` for the library under `root` (a file URL
 * ending in "/"): imports against LAYERS, imports of files outside the
 * library, and cycles. Modules outside `root` (npm:, node:, tests) are not
 * checked as importers.
 */
export function findViolations(
  modules: readonly GraphModule[],
  root: string,
): string[] {
  const out: string[] = [];
  const edges = new Map<string, string[]>();
  for (const m of modules) {
    const from = libraryPath(m.specifier, root);
    if (from === undefined) continue;
    const fromLayer = layerOf(from);
    const allowed = LAYERS[fromLayer];
    if (allowed === undefined) {
      out.push(`${from}: folder "${fromLayer}" is not a layer in LAYERS`);
      continue;
    }
    const targets: string[] = [];
    for (const dep of m.dependencies ?? []) {
      for (const spec of new Set([dep.code?.specifier, dep.type?.specifier])) {
        if (spec === undefined || !spec.startsWith("file:")) continue;
        const to = libraryPath(spec, root);
        if (to === undefined) {
          out.push(`${from}: imports ${spec}, outside the library`);
          continue;
        }
        const exempt = dep.isDynamic === true &&
          ALLOWED_DYNAMIC.some(([a, b]) => a === from && b === to);
        if (exempt) continue;
        if (!allowed.includes(layerOf(to))) {
          out.push(
            `${from}: imports ${to} (layer "${fromLayer}" may import only ${
              allowed.join(", ")
            })`,
          );
        }
        targets.push(to);
      }
    }
    edges.set(from, targets);
  }
  for (const cycle of cycles(edges)) {
    out.push(`import cycle: ${cycle.join(" -> ")} -> ${cycle[0]}`);
  }
  return out;
}

/** The folder a library path belongs to ("." for root files). */
export function layerOf(path: string): string {
  const slash = path.indexOf("/");
  return slash === -1 ? "." : path.slice(0, slash);
}

// The path of `specifier` relative to root, or undefined when it lies
// outside the library (another folder of the repository counts as outside
// when it is not a layer: tests/, bench/, scripts/, examples/).
function libraryPath(specifier: string, root: string): string | undefined {
  if (!specifier.startsWith(root)) return undefined;
  const path = specifier.slice(root.length);
  const layer = layerOf(path);
  return layer in LAYERS ? path : undefined;
}

// Every strongly connected component with more than one file, or a file that
// imports itself (Tarjan's algorithm, iterative enough for this graph size).
function cycles(edges: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || (edges.get(v) ?? []).includes(v)) {
      found.push(scc.reverse());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/**
 * The relative specifiers of a file's dynamic imports by URL,
 * `import(new URL("./x.ts", import.meta.url).href)`: the library writes its
 * lazy imports so (Deno would load a literal one's graph with every worker,
 * thread/_worker.ts), and `deno info` does not see them; the check adds them
 * to the graph as dynamic imports.
 */
export function urlImports(text: string): string[] {
  const found: string[] = [];
  const form =
    /import\(\s*new URL\(\s*"([^"]+)",\s*import\.meta\.url,?\s*\)\.href,?\s*\)/g;
  for (const m of text.matchAll(form)) found.push(m[1]);
  return found;
}

/** The library's .ts files (paths relative to dir), from git. */
async function libraryFiles(dir: string): Promise<string[]> {
  const { stdout } = await new Deno.Command("git", {
    args: ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts"],
    cwd: dir,
  }).output();
  return new TextDecoder().decode(stdout).split("\n").filter((f) =>
    f !== "" && !f.endsWith(".d.ts") && layerOf(f) in LAYERS
  );
}

async function main(): Promise<void> {
  const dir = await Deno.realPath(Deno.args[0] ?? ".");
  const root = new URL(`file://${dir}/`).href;
  const files = await libraryFiles(dir);
  // deno info takes one root: a scratch module that imports every file.
  const scratch = await Deno.makeTempDir();
  const entry = `${scratch}/all.ts`;
  await Deno.writeTextFile(
    entry,
    files.map((f) => `import ${JSON.stringify(new URL(f, root).href)};`)
      .join("\n"),
  );
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: dir,
    env: { NO_COLOR: "1" },
  }).output();
  await Deno.remove(scratch, { recursive: true });
  if (!info.success) {
    console.error(new TextDecoder().decode(info.stderr));
    Deno.exit(1);
  }
  const graph = JSON.parse(new TextDecoder().decode(info.stdout)) as {
    modules: GraphModule[];
  };
  const modules = await Promise.all(graph.modules.map(async (m) => {
    if (!m.specifier.startsWith(root) || !m.specifier.endsWith(".ts")) return m;
    // A module deno info could not load (missing) has nothing to add.
    const text = await Deno.readTextFile(new URL(m.specifier)).catch(() => "");
    const lazy = urlImports(text);
    if (lazy.length === 0) return m;
    return {
      ...m,
      dependencies: [
        ...m.dependencies ?? [],
        ...lazy.map((spec) => ({
          code: { specifier: new URL(spec, m.specifier).href },
          isDynamic: true,
        })),
      ],
    };
  }));
  const problems = findViolations(modules, root);
  for (const f of files) {
    const lines = (await Deno.readTextFile(`${dir}/${f}`)).split("\n").length;
    if (lines > MAX_LINES) {
      problems.push(`${f}: ${lines} lines (at most ${MAX_LINES})`);
    }
  }
  for (const p of problems) console.log(p);
  console.log(
    `imports: ${files.length} library files, ${problems.length} problems`,
  );
  if (problems.length > 0) Deno.exit(1);
}

if (import.meta.main) await main();
