/**
 * A persistent stack, used as an append-only queue: appending is O(1) however
 * long the outbox grows between drains; draining reverses it once.
 *
 * @internal
 * @module
 */

/** The empty list is `null`; items are kept newest first. */
export type List<T> = { readonly head: T; readonly tail: List<T> } | null

/** The list with `item` appended (as the newest). */
export const append = <T>(list: List<T>, item: T): List<T> => ({ head: item, tail: list })

/** The list with all `items` appended, in order. */
export const appendAll = <T>(list: List<T>, items: Iterable<T>): List<T> => {
  let out = list
  for (const item of items) out = append(out, item)
  return out
}

/** The items, oldest first. */
export const toArray = <T>(list: List<T>): T[] => {
  const out: T[] = []
  for (let at = list; at !== null; at = at.tail) out.push(at.head)
  return out.reverse()
}

/** A list of the items, in order (the first is the oldest). */
export const fromArray = <T>(items: readonly T[]): List<T> => appendAll(null, items)
