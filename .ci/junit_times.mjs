// Prints where a Deno JUnit report's time went: the N slowest test files
// (the sum of their top-level tests' times) with their share of all files'
// time, for the CI log. Files run side by side, so the shares are of the
// summed time, not of the wall time. Usage:
//   node .ci/junit_times.mjs report.xml [N]
import { readFileSync } from "node:fs";

const xml = readFileSync(process.argv[2], "utf8");
const n = Number(process.argv[3] ?? 15);
const files = new Map();
const re = /<testcase name="[^"]*" classname="([^"]*)" time="([\d.]+)"/g;
for (const m of xml.matchAll(re)) {
  // A test's steps are reported under Deno's node:test shim; the top-level
  // test of a file carries the file's name.
  if (m[1].startsWith("ext:")) continue;
  files.set(m[1], (files.get(m[1]) ?? 0) + Number(m[2]));
}
const total = [...files.values()].reduce((a, b) => a + b, 0);
console.log(
  `::: test: ${files.size} files, ${total.toFixed(0)} s summed; slowest:`,
);
for (const [file, s] of [...files].sort((a, b) => b[1] - a[1]).slice(0, n)) {
  const share = (100 * s / total).toFixed(1).padStart(5);
  console.log(`::: ${s.toFixed(1).padStart(7)} s ${share}%  ${file}`);
}
