// Manager.reduceMany (contract §13, "Batches"): a batch of { now, event } entries
// applied as one call equals reducing them one by one, and never changes its
// input.
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { Manager } from '../src/index'
import { hostileEventStream } from '../src/testing'
import { deepFreeze, fingerprint, executionSpec, jobType } from './fixtures'

const snapshotOf = (state: Manager.Manager): string => JSON.stringify(Manager.toSnapshot(state))

describe('Manager.reduceMany', () => {
  test.prop([hostileEventStream({ maxLength: 80 }), fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1 })])(
    'in batches of random sizes equals reducing one by one, and never changes its (deeply frozen) input',
    (stream, sizes) => {
      let single = Manager.create(stream.start)
      let batched = Manager.create(stream.start)
      let at = 0
      for (let b = 0; at < stream.events.length; b++) {
        const size = sizes[b % sizes.length] ?? 1
        const batch = deepFreeze(stream.events.slice(at, at + size))
        for (const { now, event } of batch) single = Manager.reduce(single, event, now)
        const input = deepFreeze(batched)
        const print = fingerprint(input)
        batched = Manager.reduceMany(input, batch)
        expect(fingerprint(input)).toBe(print)
        expect(snapshotOf(batched)).toBe(snapshotOf(single))
        at += size
      }
      const end = stream.events.at(-1)?.now ?? stream.start
      expect(Manager.drain(batched, end)[0]).toEqual(Manager.drain(single, end)[0])
      expect(Manager.nextDeadline(batched)).toEqual(Manager.nextDeadline(single))
    },
  )

  it('returns the very same state for an empty batch, or one that changes nothing', () => {
    const state = Manager.create(0)
    expect(Manager.reduceMany(state, [])).toBe(state)
    expect(Manager.reduceMany(state, [{ now: 5, event: { type: 'TimeoutsChecked' } }])).toBe(state)
  })

  it('is total: a batch that is no list is refused, entries that are not { now, event } are skipped', () => {
    const state = Manager.create(0)
    const hostile = <T>(value: unknown): T => value as T
    for (const batch of [null, 5, 'x', { length: 1, 0: { now: 1, event: { type: 'TimeoutsChecked' } } }]) {
      expect(Manager.reduceMany(state, hostile(batch))).toBe(state)
    }
    const spec = executionSpec(1, { agentId: 'a', queued: 0, started: 0, jobType: jobType(60_000, 'j') })
    const other = executionSpec(2, { agentId: 'a', queued: 0, started: 0, jobType: jobType(60_000, 'j') })
    const next = Manager.reduceMany(
      state,
      hostile([
        null,
        7,
        { now: Number.NaN, event: { type: 'Scheduled', executions: [spec] } },
        { now: 1 },
        // A function is no { now, event } entry, whatever properties it carries.
        Object.assign(() => 0, { now: 1, event: { type: 'Scheduled', executions: [other] } }),
        { now: 2, event: { type: 'Scheduled', executions: [spec] } },
      ]),
    )
    expect(Manager.runningExecutions(next).map((x) => x.clusterId)).toEqual([spec.clusterId])
  })
})
