// Copyright 2026 the threadkit authors. MIT license.
// Checks the README inside the installed npm package, as an npm user reads
// it (run by scripts/ci_node.sh from a project that installed the tarball):
//   - every code block is free of `using` declarations (Node 20 has none);
//   - every import specifier in a code block resolves from this project:
//     "threadkit" and its subpaths through the package's exports to a file
//     that exists (and the module loads), node: built-ins to themselves.
// Relative specifiers ("./work.ts") name the reader's own files and are
// listed, not resolved. Prints one line per specifier; exits 1 on any
// failure.
//
//   node check_npm_readme.mjs [path/to/README.md]
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const file = process.argv[2] ?? "node_modules/threadkit/README.md";
const text = readFileSync(file, "utf8");
const blocks = [...text.matchAll(/^```(\w*)[^\n]*\n([\s\S]*?)^```/gm)]
  .filter(([, lang]) =>
    /^(ts|js|tsx|jsx|typescript|javascript|mjs)$/.test(lang)
  )
  .map(([, , code]) => code);

let failed = 0;
const fail = (what) => {
  failed++;
  console.log(`readme: FAILED ${what}`);
};

const specifiers = new Set();
const IMPORT =
  /\b(?:import|export)\s+(?:type\s+)?[^"';]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|\bimport\s+["']([^"']+)["']/g;
for (const code of blocks) {
  const using = /^\s*(?:await\s+)?using\s+[\w$]+\s*=/m.exec(code);
  if (using) fail(`a code block declares with using: ${using[0].trim()}`);
  if (code.includes("@threadkit/threadkit")) {
    fail("a code block imports @threadkit/threadkit (the JSR name)");
  }
  for (const m of code.matchAll(IMPORT)) specifiers.add(m[1] ?? m[2] ?? m[3]);
}
if (blocks.length === 0) fail("no code blocks found");
if (![...specifiers].includes("threadkit")) {
  fail('no block imports "threadkit"');
}

for (const spec of [...specifiers].sort()) {
  if (spec.startsWith("./") || spec.startsWith("../")) {
    console.log(`readme: skip   ${spec} (the reader's own file)`);
    continue;
  }
  try {
    const url = import.meta.resolve(spec);
    if (url.startsWith("file:") && !existsSync(fileURLToPath(url))) {
      throw new Error(`resolves to ${url}, which does not exist`);
    }
    if (spec === "threadkit" || spec.startsWith("threadkit/")) {
      await import(spec);
    }
    console.log(`readme: ok     ${spec} -> ${url}`);
  } catch (error) {
    fail(`${spec}: ${error.message}`);
  }
}
console.log(
  `readme: ${blocks.length} code blocks, ${specifiers.size} specifiers, ${failed} failed`,
);
process.exit(failed === 0 ? 0 : 1);
