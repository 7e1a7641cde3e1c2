// Copyright 2026 the threadkit authors. MIT license.
// The worker entry under another URL, as a bundle names its copy
// (setWorkerEntry): tests/thread/prestart_test.ts.
import "../../thread/_worker.ts";
