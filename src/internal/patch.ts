/**
 * Structural sharing by hand: the hot reducers copy only what changes, and hand
 * back the very same object when nothing does (the promise immer makes, at a
 * fraction of its cost per event).
 *
 * @internal
 * @module
 */

/** `obj` with `changes` applied; `obj` itself when every change is already there. */
export const patch = <T extends object>(obj: T, changes: Partial<T>): T => {
  for (const key in changes) {
    if (changes[key] !== obj[key]) return { ...obj, ...changes }
  }
  return obj
}

/** `items` with `items[index]` replaced; `items` itself when the item is the same. */
export const replaceAt = <T>(items: readonly T[], index: number, item: T): readonly T[] => {
  if (items[index] === item) return items
  const copy = items.slice()
  copy[index] = item
  return copy
}
