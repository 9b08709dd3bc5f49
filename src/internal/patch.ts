/**
 * Structural sharing by hand: the hot reducers copy only what changes, and hand
 * back the very same object when nothing does (the promise immer makes, at a
 * fraction of its cost per event). This is the one helper they share.
 *
 * @internal
 * @module
 */

/** `items` with `items[index]` replaced; `items` itself when the item is the same. */
export const replaceAt = <T>(items: readonly T[], index: number, item: T): readonly T[] => {
  if (items[index] === item) return items
  const copy = items.slice()
  copy[index] = item
  return copy
}
