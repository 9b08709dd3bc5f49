/**
 * Problem paths through a boundary codec (src/internal/decode.ts): a boundary
 * around a wrapper (an intersection, a union, a refinement) must name paths as
 * the wrapper alone would, its member indices being no keys of the input.
 */
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { boundary, problemsOf } from '../src/internal/decode'

const pathsOf = (codec: t.Decoder<unknown, unknown>, input: unknown): readonly string[] => {
  const result = codec.decode(input)
  return result._tag === 'Left' ? problemsOf(result.left).map((p) => p.path) : []
}

describe('boundary paths', () => {
  const member = t.intersection([t.type({ a: t.string }), t.type({ b: t.number })])

  it('skip the member indices of an intersection inside a boundary, as without the boundary', () => {
    const bare = t.type({ f: member })
    const bounded = t.type({ f: boundary(member, 'F') })
    expect(pathsOf(bare, { f: { a: 1, b: 2 } })).toEqual(['f.a'])
    expect(pathsOf(bounded, { f: { a: 1, b: 2 } })).toEqual(['f.a'])
    expect(pathsOf(bounded, { f: { a: 'x', b: 'y' } })).toEqual(['f.b'])
  })

  it('skip them at the root too', () => {
    expect(pathsOf(boundary(member, 'Root'), { a: 1, b: 2 })).toEqual(['a'])
  })

  it('keep the keys of a boundary around a plain type', () => {
    expect(pathsOf(t.type({ f: boundary(t.type({ a: t.string }), 'F') }), { f: { a: 1 } })).toEqual(['f.a'])
  })

  it('name the boundary itself when the value it reads is of the wrong kind', () => {
    // The boundary's name is what callers gave: a problem at its own path says that name.
    const bounded = t.type({ f: boundary(t.type({ a: t.string }), 'Widget') })
    const result = bounded.decode({ f: 'nope' })
    const problems = result._tag === 'Left' ? problemsOf(result.left) : []
    expect(problems).toEqual([{ path: 'f', message: 'expected Widget, got "nope"' }])
  })

  it('read a value whose getter throws as a problem, saying why when the throw was an Error', () => {
    const throwing = (thrown: unknown): object =>
      Object.defineProperty({}, 'a', {
        enumerable: true,
        get: () => {
          // A hostile caller may throw anything, not only an Error.
          throw thrown
        },
      })
    const messages = (input: unknown): readonly string[] => {
      const result = boundary(t.type({ a: t.string }), 'Widget').decode(input)
      return result._tag === 'Left' ? problemsOf(result.left).map((p) => p.message) : []
    }
    expect(messages(throwing(new Error('boom')))).toEqual(['could not be read (boom)'])
    expect(messages(throwing('boom'))).toEqual(['could not be read (unreadable)'])
  })
})
