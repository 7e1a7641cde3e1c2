// Copyright 2026 the threadkit authors. MIT license.
// `deno doc --lint` over every subpath of deno.json's exports, one at a
// time: each subpath is a public entry point users can import alone, so each
// must document every symbol it exports and export every type its public
// signatures name (linting mod.ts alone misses a type that only mod.ts
// re-exports). Prints one line per subpath and exits 1 when any fails.
//
//   deno run -A scripts/doc_lint.ts

const ROOT = new URL("..", import.meta.url);
const config = JSON.parse(
  await Deno.readTextFile(new URL("deno.json", ROOT)),
) as { exports: Record<string, string> };

let failed = 0;
for (const [subpath, file] of Object.entries(config.exports)) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", file],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ok = code === 0;
  console.log(`doc-lint ${ok ? "ok    " : "FAILED"} ${subpath} (${file})`);
  if (!ok) {
    failed++;
    const text = new TextDecoder().decode(stdout) +
      new TextDecoder().decode(stderr);
    console.log(text.replace(/^/gm, "  "));
  }
}
// Every exported value (class, function, constant) of the package root
// carries at least one @example, which `deno test --doc` runs. Types are
// shown by the examples of the values that take them.
const VALUE_KINDS = new Set(["class", "function", "variable"]);
interface DocDeclaration {
  kind: string;
  jsDoc?: { tags?: { kind: string }[] };
}
const doc = await new Deno.Command(Deno.execPath(), {
  args: ["doc", "--json", "mod.ts"],
  cwd: ROOT,
  env: { NO_COLOR: "1" },
  stdout: "piped",
}).output();
const graph = JSON.parse(new TextDecoder().decode(doc.stdout)) as {
  nodes: Record<
    string,
    { symbols: { name: string; declarations: DocDeclaration[] }[] }
  >;
};
const root = Object.values(graph.nodes)[0];
const missing = root.symbols.filter((s) =>
  s.declarations.some((d) => VALUE_KINDS.has(d.kind)) &&
  !s.declarations.some((d) => d.jsDoc?.tags?.some((t) => t.kind === "example"))
).map((s) => s.name);
if (missing.length > 0) {
  failed++;
  console.log(`doc-lint FAILED no @example: ${missing.join(", ")}`);
} else {
  console.log(
    `doc-lint ok     every exported value of mod.ts has an @example (${
      root.symbols.filter((s) =>
        s.declarations.some((d) => VALUE_KINDS.has(d.kind))
      ).length
    })`,
  );
}

console.log(`doc-lint: ${failed === 0 ? "clean" : `${failed} failed`}`);
Deno.exit(failed === 0 ? 0 : 1);
