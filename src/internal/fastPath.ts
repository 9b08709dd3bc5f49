/**
 * The fast path of a boundary codec, derived from the codec itself.
 *
 * Why: io-ts' `decode` builds a context entry per field and a `Right` per
 * value, so a well-formed Mesos status costs microseconds where checking it
 * costs a few hundred nanoseconds. Every io-ts codec also carries `is`, its
 * type guard, built from the same definitions. For the codecs this is used
 * with, `is(u)` on plain data implies `decode(u)` is `Right(u)` itself, the
 * input unchanged: `type`, `partial` and `intersection` return their input
 * when every member does, refinements and primitives return it when they
 * accept it, `optional` returns an absent field as it is (and its `is`
 * refuses `null`, which `decode` would change to `undefined`), and a boundary
 * returns plain data as it is. So a caller may take the input as decoded when
 * the guard says yes, and run `decode` only when it says no: `decode` alone
 * then says what is wrong, so refusals read exactly as before.
 *
 * Not for unions (a member tried first may succeed with a changed value while
 * a later member's guard accepts the input as it is) nor for `noExtraKeys`
 * (its guard does not look at the keys). `test/taskUpdate.fastPath.test.ts`
 * and `test/eventLog.fastPath.test.ts` check the agreement on generated input.
 *
 * @internal
 * @module
 */
import type * as t from 'io-ts'
import { isPlain } from './plainData'

/**
 * Whether `codec.decode(input)` is `Right(input)`, found with the codec's
 * guard: `input` must be plain data, and the guard must accept it. Plain data
 * is checked by a walk, unless `plainData` says that `input` is `JSON.parse`
 * output and that the caller only reads the codec's fields from it (never
 * hands the object itself out): such output can only be impure by an own
 * `__proto__` key, which no codec reads, and which a decoder would have
 * dropped from a copy. Never throws: a getter that throws makes the answer no,
 * and `decode` then reports it.
 */
export const decodesAsItself = <A>(
  codec: t.Type<A, unknown, unknown>,
  input: unknown,
  plainData: boolean,
): input is A => {
  try {
    return (plainData || isPlain(input)) && codec.is(input)
  } catch {
    return false
  }
}
