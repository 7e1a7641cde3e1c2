// Copyright 2026 the threadkit authors. MIT license.
// Internal method names of Lock (sync/lock.ts) for the death of a holder,
// and the mark of an RLock's inner lock. Not exported by the package; kept
// here so that lock.ts exports nothing internal and has no import cycle
// with the files that use them (sync/_lock_at.ts, RLock, Condition, the
// queue's byte stores).

/** Lock's death check of its holder: throws OwnerDiedError (sync/lock.ts). */
export const CHECK_HOLDER: unique symbol = Symbol("threadkit.checkHolder");

/** Lock's take-over from a dead holder, by ident (sync/lock.ts). */
export const RECOVER: unique symbol = Symbol("threadkit.recover");

/** A revived Lock's descriptor extra: an RLock's inner, owned lock. */
export const OWNED = "threadkit.owned";
