// The structures built at once (what a snapshot restore builds its indexes
// with) against the same built one entry at a time: the very same hash-map
// shapes, the same tree entries, and a whole rebuilt state equal to the one
// adding each execution as Scheduled does.
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { Manager, Metrics } from '../src/index'
import type { ClusterId } from '../src/ids'
import * as Deadlines from '../src/internal/deadlineIndex'
import * as HM from '../src/internal/hashMap'
import { addedOneByOne, rebuild } from '../src/internal/lifecycle'
import { toInternal, type ManagerState } from '../src/internal/managerState'
import * as Groups from '../src/internal/nodeJobGroups'
import * as SM from '../src/internal/sortedMap'
import { hostileEventStream } from '../src/testing'
import { executionSpec, runStream, withRunning } from './fixtures'

// A weak hash forces collision nodes and deep branches; the real one spreads keys.
const hashes: ReadonlyArray<readonly [string, HM.Hash<string>]> = [
  ['real', HM.hashString],
  ['colliding', (key) => key.length % 3],
  ['deep', (key) => (key.charCodeAt(0) || 0) << 25],
]

const distinctKeys = fc.uniqueArray(fc.string({ maxLength: 4 }), { maxLength: 120 })

const setOneByOne = <V>(
  keys: readonly string[],
  hash: HM.Hash<string>,
  valueOf: (i: number) => V,
): HM.HashMap<string, V> =>
  keys.reduce<HM.HashMap<string, V>>((map, key, i) => HM.set(map, key, hash(key), valueOf(i)), HM.empty)

describe('HashMap.fromDistinct', () => {
  for (const [name, hash] of hashes) {
    test.prop([distinctKeys])(`has the shape setting the keys one by one gives (${name} hash)`, (keys) => {
      const built = HM.fromDistinct(
        keys.map(hash),
        keys,
        keys.map((_, i) => i),
      )
      expect(HM.brokenInvariants(built, hash)).toEqual([])
      expect(built).toEqual(setOneByOne(keys, hash, (i) => i))
      expect(built.size).toBe(keys.length)
      keys.forEach((key, i) => expect(HM.get(built, key, hash(key))).toBe(i))
    })
  }

  it('is the empty map for no keys', () => {
    expect(HM.fromDistinct([], [], [])).toBe(HM.empty)
  })
})

describe('SortedMap.fromAscending', () => {
  const compare = (a: number, b: number): number => a - b
  test.prop([fc.uniqueArray(fc.integer({ min: -50, max: 50 }), { maxLength: 80 })])(
    'is a valid tree of the entries, in order',
    (keys) => {
      const entries = [...keys].sort(compare).map((key): readonly [number, string] => [key, `v${key}`])
      const tree = SM.fromAscending(entries)
      expect(SM.isValid(tree, compare)).toBe(true)
      expect(SM.entries(tree)).toEqual(entries)
      expect(SM.size(tree)).toBe(entries.length)
    },
  )
})

// Two states equal in what they hold: hash maps by shape (a function of the
// key set), trees by their entries (their shape depends on the order of insertion).
const expectSameState = (built: ManagerState, oneByOne: ManagerState): void => {
  expect(built.running).toEqual(oneByOne.running)
  expect(built.byExecutionId).toEqual(oneByOne.byExecutionId)
  expect(built.ready).toEqual(oneByOne.ready)
  expect(Groups.equals(built.byNode, oneByOne.byNode)).toBe(true)
  expect(Groups.equals(built.byJob, oneByOne.byJob)).toBe(true)
  expect(built.byNode).toEqual(oneByOne.byNode)
  expect(built.byJob).toEqual(oneByOne.byJob)
  expect(SM.entries(built.toKill)).toEqual(SM.entries(oneByOne.toKill))
  expect(SM.entries(built.forced)).toEqual(SM.entries(oneByOne.forced))
  expect(SM.entries(built.deadlines.tree)).toEqual(SM.entries(oneByOne.deadlines.tree))
  expect(built.deadlines.keys).toEqual(oneByOne.deadlines.keys)
  expect(built.deadlines.earliest).toBe(oneByOne.deadlines.earliest)
  expect(Deadlines.brokenInvariants(built.deadlines, built.running)).toEqual([])
  expect(Metrics.equals(built.metrics, oneByOne.metrics)).toBe(true)
  expect(SM.isValid(built.toKill, (a: ClusterId, b: ClusterId) => (a < b ? -1 : a > b ? 1 : 0))).toBe(true)
}

describe('rebuild', () => {
  test.prop([hostileEventStream()])(
    'builds at once the state adding the running executions one by one gives',
    (stream) => {
      let checked = 0
      runStream(stream, (manager, index) => {
        // Every fifth state keeps the property's cost down; the last is always checked.
        if (index % 5 !== 0 && index !== stream.events.length - 1) return
        const { settings, metrics } = toInternal(manager)
        const running = Manager.runningExecutions(manager)
        expectSameState(rebuild(settings, metrics.now, running), addedOneByOne(settings, metrics.now, running))
        checked++
      })
      expect(checked > 0 || stream.events.length === 0).toBe(true)
    },
  )

  it('adds one by one, as Scheduled does, when a cluster id or an execution id repeats', () => {
    const manager = withRunning([executionSpec(1), executionSpec(2, { nodeId: 2 }), executionSpec(3)])
    const { settings, metrics } = toInternal(manager)
    const [first, second, third] = Manager.runningExecutions(manager)
    if (first === undefined || second === undefined || third === undefined) throw new Error('three run')
    const repeats = [
      [first, second, first],
      [first, second, { ...third, id: first.id }],
    ]
    for (const running of repeats) {
      const oneByOne = addedOneByOne(settings, metrics.now, running)
      expect(oneByOne.running.size).toBe(2)
      expectSameState(rebuild(settings, metrics.now, running), oneByOne)
    }
  })
})
