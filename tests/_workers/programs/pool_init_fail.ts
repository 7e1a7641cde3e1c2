// Copyright 2026 the threadkit authors. MIT license.
// CPython's test_init FailingInitializerMixin.test_initializer: an
// initializer that throws breaks the pool, and the failure is logged
// ("Exception in initializer:" and the error, on stderr: CPython logs it at
// CRITICAL on the concurrent.futures logger). Prints what the Future and a
// later submit() threw; must exit by itself.
import { BrokenExecutorError, ThreadPoolExecutor } from "../../../mod.ts";

const pool = new ThreadPoolExecutor({
  maxWorkers: 2,
  initializer: () => {
    throw new URIError("error in initializer");
  },
});
try {
  await pool.submit(() => 1);
  console.log("future: returned");
} catch (e) {
  console.log(`future: ${e instanceof BrokenExecutorError}`);
}
try {
  pool.submit(() => 1);
  console.log("submit: accepted");
} catch (e) {
  console.log(`submit: ${e instanceof BrokenExecutorError}`);
}
await pool.shutdownAsync();
