// Copyright 2026 the threadkit authors. MIT license.
// Calls near the end of the stack, at every depth (tests/queue/*stack_end*).

/**
 * Calls `attempt` at every depth from the end of the stack up: at the
 * deepest frame the call overflows; its catch calls attempt, which may
 * overflow at any of its steps, and so on one frame up each time, until an
 * attempt returns. Returns how many attempts were made.
 */
export function sweep(attempt: () => void): number {
  let tries = 0;
  const deep = (): void => {
    try {
      deep();
    } catch {
      tries++;
      attempt();
    }
  };
  try {
    deep();
  } catch {
    // the outermost attempt overflowed too (never, in practice)
  }
  return tries;
}
