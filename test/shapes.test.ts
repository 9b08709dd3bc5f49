// The structural checks the guards are built from (src/internal/shapes.ts):
// what counts as a plain object, and guards that check each accepted object
// once while still refusing what they never accepted.
import { describe, expect, it } from 'vitest'
import {
  cached,
  isNodeId,
  isNonNegativeInteger,
  isOptionalInteger,
  isOptionalString,
  isPlainObject,
  isTaskResultsLike,
  isTaskTypeList,
  lookupOf,
} from '../src/internal/shapes'

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

describe('isTaskTypeList', () => {
  it('is a non-empty list of known types in execution order, without duplicates', () => {
    expect(isTaskTypeList(['main'])).toBe(true)
    expect(isTaskTypeList(['pull', 'pre', 'main', 'post'])).toBe(true)
    expect(isTaskTypeList(['pull', 'post'])).toBe(true)
    expect(isTaskTypeList([])).toBe(false)
    expect(isTaskTypeList(['main', 'pre'])).toBe(false)
    expect(isTaskTypeList(['main', 'main'])).toBe(false)
    expect(isTaskTypeList(['main', 'build'])).toBe(false)
    expect(isTaskTypeList(['build'])).toBe(false)
    expect(isTaskTypeList([1])).toBe(false)
    expect(isTaskTypeList('main')).toBe(false)
    expect(isTaskTypeList({ 0: 'main', length: 1 })).toBe(false)
  })
})

describe('scalar checks', () => {
  it('counts are non-negative safe integers; ids strings or safe integers; optionals may be absent', () => {
    expect(isNonNegativeInteger(0)).toBe(true)
    expect(isNonNegativeInteger(-1)).toBe(false)
    expect(isNonNegativeInteger(0.5)).toBe(false)
    expect(isNonNegativeInteger('1')).toBe(false)
    expect(isNodeId('n')).toBe(true)
    expect(isNodeId(-3)).toBe(true)
    expect(isNodeId(1.5)).toBe(false)
    expect(isNodeId(null)).toBe(false)
    expect(isOptionalInteger(undefined)).toBe(true)
    expect(isOptionalInteger(2)).toBe(true)
    expect(isOptionalInteger(Number.NaN)).toBe(false)
    expect(isOptionalInteger(null)).toBe(false)
    expect(isOptionalString(undefined)).toBe(true)
    expect(isOptionalString('')).toBe(true)
    expect(isOptionalString(null)).toBe(false)
  })

  it('task results as the outbox passes them on: a string version and a task list', () => {
    expect(isTaskResultsLike({ version: '1.0', tasks: [] })).toBe(true)
    expect(isTaskResultsLike({ version: 1, tasks: [] })).toBe(false)
    expect(isTaskResultsLike({ version: '1.0', tasks: {} })).toBe(false)
    expect(isTaskResultsLike({ version: '1.0' })).toBe(false)
    expect(isTaskResultsLike([])).toBe(false)
    expect(isTaskResultsLike(null)).toBe(false)
  })
})
