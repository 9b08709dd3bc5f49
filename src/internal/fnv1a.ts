/**
 * FNV-1a (32 bits) over the UTF-8 bytes of a string: the standard hash, so a
 * router written in any language puts an id on the same shard. The library's
 * one FNV-1a: `Manager.shardOf`, the hash-trie's string keys and the
 * PostgreSQL advisory-lock namespace all use it.
 *
 * @internal
 * @module
 */

const OFFSET_BASIS = 0x811c9dc5
const PRIME = 0x01000193

const step = (hash: number, byte: number): number => Math.imul(hash ^ byte, PRIME) >>> 0

/**
 * The FNV-1a hash of `text`'s UTF-8 encoding, as an unsigned 32-bit integer.
 * Lone surrogates count as U+FFFD, as `TextEncoder` encodes them. The bytes are
 * produced on the fly: nothing is allocated.
 */
export const fnv1a32 = (text: string): number => {
  let hash = OFFSET_BASIS
  // The ASCII run first, in 32-bit integers (made unsigned once): ids are ASCII,
  // and this loop is the hash-trie's hot path.
  let i = 0
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code >= 0x80) break
    hash = Math.imul(hash ^ code, PRIME)
  }
  if (i === text.length) return hash >>> 0
  hash >>>= 0
  for (; i < text.length; i++) {
    let code = text.charCodeAt(i)
    if (code < 0x80) {
      hash = step(hash, code)
      continue
    }
    if (code < 0x800) {
      hash = step(step(hash, 0xc0 | (code >> 6)), 0x80 | (code & 0x3f))
      continue
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const low = i + 1 < text.length ? text.charCodeAt(i + 1) : 0
      if (code <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
        i++
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00)
        hash = step(hash, 0xf0 | (code >> 18))
        hash = step(hash, 0x80 | ((code >> 12) & 0x3f))
        hash = step(hash, 0x80 | ((code >> 6) & 0x3f))
        hash = step(hash, 0x80 | (code & 0x3f))
        continue
      }
      code = 0xfffd
    }
    hash = step(hash, 0xe0 | (code >> 12))
    hash = step(hash, 0x80 | ((code >> 6) & 0x3f))
    hash = step(hash, 0x80 | (code & 0x3f))
  }
  return hash
}
