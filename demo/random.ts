/**
 * A tiny seeded pseudo-random number generator for the demo (mulberry32): the
 * same seed gives the same sequence on every platform, so a simulation is
 * reproducible. Not for cryptography. The demo never uses `Math.random`.
 */

/** A seeded source of pseudo-random numbers. */
export interface Random {
  /** A float in [0, 1). */
  readonly next: () => number
  /** An integer in [min, max], both inclusive (`min` when `max < min`). */
  readonly int: (min: number, max: number) => number
  /** One of the given items, uniformly. */
  readonly pick: <A>(items: readonly [A, ...A[]]) => A
  /** One of the given items, uniformly; `undefined` when there are none. */
  readonly pickFrom: <A>(items: readonly A[]) => A | undefined
  /** Up to `count` distinct items, in a random order (a partial Fisher-Yates shuffle of a copy). */
  readonly sample: <A>(items: readonly A[], count: number) => A[]
  /** True with probability `p`. */
  readonly chance: (p: number) => boolean
  /** A lowercase hexadecimal string of `length` digits. */
  readonly hex: (length: number) => string
}

/**
 * mulberry32: a 32-bit state generator, small and fast, with good enough
 * statistics for a simulation. The seed is taken modulo 2^32.
 */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A {@link Random} seeded with `seed`. */
export const createRandom = (seed: number): Random => {
  const next = mulberry32(seed)
  const int = (min: number, max: number): number => (max <= min ? min : min + Math.floor(next() * (max - min + 1)))
  const pickFrom = <A>(items: readonly A[]): A | undefined =>
    items.length === 0 ? undefined : items[int(0, items.length - 1)]
  const pick = <A>(items: readonly [A, ...A[]]): A => pickFrom(items) ?? items[0]
  const sample = <A>(items: readonly A[], count: number): A[] => {
    const copy = [...items]
    const n = Math.max(0, Math.min(count, copy.length))
    for (let i = 0; i < n; i++) {
      const j = int(i, copy.length - 1)
      const a = copy[i]
      const b = copy[j]
      if (a === undefined || b === undefined) continue
      copy[i] = b
      copy[j] = a
    }
    return copy.slice(0, n)
  }
  const chance = (p: number): boolean => next() < p
  const hex = (length: number): string => {
    let out = ''
    for (let i = 0; i < length; i++) out += int(0, 15).toString(16)
    return out
  }
  return { next, int, pick, pickFrom, sample, chance, hex }
}
