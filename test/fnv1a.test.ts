/**
 * The library's FNV-1a (src/internal/fnv1a.ts): the standard 32-bit hash over
 * the UTF-8 bytes of a string, lone surrogates encoded as U+FFFD the way
 * `TextEncoder` does, so that a router in another language agrees.
 */
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { fnv1a32 } from '../src/internal/fnv1a'

// The definition: FNV-1a over the bytes `TextEncoder` gives.
const reference = (text: string): number => {
  let hash = 0x811c9dc5
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0
  return hash
}

// The code units at the edges of UTF-8's byte lengths and of the surrogate ranges.
const EDGES = [0x61, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfffd, 0xffff].map(
  (unit) => String.fromCharCode(unit),
)

describe('fnv1a32', () => {
  it('agrees with FNV-1a over the UTF-8 bytes for every string of up to three edge code units', () => {
    const texts = ['']
    for (const a of EDGES) {
      texts.push(a)
      for (const b of EDGES) {
        texts.push(a + b)
        for (const c of EDGES) texts.push(a + b + c)
      }
    }
    const wrong = texts.filter((text) => fnv1a32(text) !== reference(text))
    expect(wrong.map((text) => [...text].map((ch) => ch.codePointAt(0)?.toString(16)))).toEqual([])
  })

  it('hashes a surrogate pair as its one four-byte code point and a lone surrogate as U+FFFD', () => {
    expect(fnv1a32('\ud83d\ude00')).toBe(fnv1a32('😀'))
    expect(fnv1a32('\udbff\udfff')).toBe(reference('\u{10ffff}'))
    expect(fnv1a32('\ud800\udc00')).toBe(reference('\u{10000}'))
    for (const lone of ['\ud800', '\udbff', '\udc00', '\udfff', '\udc00\ud800', 'x\ud800y', '\udfff\udfff']) {
      expect(fnv1a32(lone)).toBe(fnv1a32(lone.replace(/[\ud800-\udfff]/g, '\ufffd')))
    }
    // Not surrogates: their own three bytes.
    expect(fnv1a32('\ud7ff')).not.toBe(fnv1a32('\ufffd'))
    expect(fnv1a32('\ue000')).not.toBe(fnv1a32('\ufffd'))
  })

  test.prop([fc.array(fc.oneof(fc.constantFrom(...EDGES), fc.string({ unit: 'binary', maxLength: 3 })))])(
    'agrees with FNV-1a over the UTF-8 bytes of any string',
    (parts) => {
      const text = parts.join('')
      expect(fnv1a32(text)).toBe(reference(text))
    },
  )
})
