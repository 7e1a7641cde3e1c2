// Lists the failed leaf test cases of a Deno JUnit report, one line each
// with the first line of its failure message, for the end of the CI log
// (the part of a long log a reader sees first). Usage:
//   node .ci/junit_failed.mjs report.xml
import { readFileSync } from "node:fs";

const xml = readFileSync(process.argv[2], "utf8");
const re =
  /<testcase name="([^"]*)" classname="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g;
const cases = [...xml.matchAll(re)].map((m) => ({
  name: m[1],
  file: m[2],
  body: m[4] ?? "",
}));
const names = new Set(cases.map((c) => c.name));
const isParent = (name) =>
  [...names].some((n) => n.startsWith(name + " &gt; "));
const unescape = (s) =>
  s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&amp;/g, "&");
// A describe's its are reported under Deno's node:test shim ("ext:..."):
// their file is their top-level case's.
const fileOf = new Map(
  cases.filter((c) => !c.file.startsWith("ext:")).map((c) => [c.name, c.file]),
);
for (const c of cases) {
  if (isParent(c.name)) continue;
  const f =
    /<(failure|error)(?: message="([^"]*)")?[^>]*>([\s\S]*?)<\/\1>|<(failure|error)[^>]*\/>/
      .exec(c.body);
  if (f === null) continue;
  const text = unescape(f[2] ?? f[3] ?? "").split("\n").find((l) => l.trim()) ??
    "";
  console.log(
    `deno: ${
      unescape(
        c.file.startsWith("ext:")
          ? fileOf.get(c.name.split(" &gt; ")[0]) ?? c.file
          : c.file,
      )
    } => ${unescape(c.name)}: ${text.slice(0, 300)}`,
  );
}
