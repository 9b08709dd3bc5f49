// The structural checks the guards are built from (src/internal/shapes.ts):
// what counts as a plain object, and guards that check each accepted object
// once while still refusing what they never accepted.
import { describe, expect, it } from 'vitest'
import { cached, isPlainObject, lookupOf } from '../src/internal/shapes'

class Instance {
  readonly name = 'e'
}

const hasName = (value: unknown): value is { name: string } =>
  typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string'

describe('isPlainObject', () => {
  it('is an object literal or an object without a prototype, nothing else', () => {
    expect(isPlainObject({})).toBe(true)
    expect(isPlainObject({ a: 1 })).toBe(true)
    expect(isPlainObject(Object.create(null))).toBe(true)
    expect(isPlainObject([])).toBe(false)
    expect(isPlainObject(new Map())).toBe(false)
    expect(isPlainObject(new Instance())).toBe(false)
    expect(isPlainObject(null)).toBe(false)
    expect(isPlainObject('{}')).toBe(false)
  })
})

describe('cached', () => {
  it('checks an accepted object once, and every refused value each time', () => {
    let calls = 0
    const is = cached((value: unknown): value is { name: string } => {
      calls++
      return hasName(value)
    })
    const accepted = { name: 'a' }
    expect(is(accepted)).toBe(true)
    expect(is(accepted)).toBe(true)
    expect(calls).toBe(1)
    const refused = { name: 1 }
    expect(is(refused)).toBe(false)
    expect(is(refused)).toBe(false)
    expect(calls).toBe(3)
    expect(is(null)).toBe(false)
    expect(is('a')).toBe(false)
    expect(is(undefined)).toBe(false)
  })

  it('a lookup is a plain object whose own values all pass', () => {
    const isLookup = lookupOf(hasName)
    expect(isLookup({ 1: { name: 'e' } })).toBe(true)
    expect(isLookup({})).toBe(true)
    expect(isLookup({ 1: { name: 'e' }, 2: { name: 2 } })).toBe(false)
    expect(isLookup(new Map())).toBe(false)
    expect(isLookup([{ name: 'e' }])).toBe(false)
    expect(isLookup(Object.assign(Object.create(null), { 1: { name: 'e' } }))).toBe(true)
  })
})
