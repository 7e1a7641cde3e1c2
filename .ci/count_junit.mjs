// Counts leaf test cases in a Deno JUnit report: a case is a leaf unless
// another case's name extends it with " > " (a describe with its its).
// Prints "P F" (passed, failed). Usage: node .ci/count_junit.mjs report.xml
import { readFileSync } from "node:fs";

const xml = readFileSync(process.argv[2], "utf8");
const cases = [];
const re = /<testcase name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g;
for (const m of xml.matchAll(re)) {
  const body = m[3] ?? "";
  cases.push({
    name: m[1],
    failed: /<failure|<error/.test(body),
    skipped: /<skipped/.test(body),
  });
}
const names = new Set(cases.map((c) => c.name));
const isParent = (name) =>
  [...names].some((n) => n.startsWith(name + " &gt; "));
let passed = 0, failed = 0, skipped = 0;
for (const c of cases) {
  if (isParent(c.name)) continue;
  if (c.failed) failed++;
  else if (c.skipped) skipped++;
  else passed++;
}
console.log(`${passed} ${failed} ${skipped}`);
