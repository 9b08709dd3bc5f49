// At volume: at least 100,000 hostile generated events per run. (Its own file,
// so that mutation testing can leave this long run out.)
import { fc } from '@fast-check/vitest'
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { Manager, TaskUpdate } from '../src/index'
import { checkInvariants, hostileEventStream, malformedMesosStatus, type EventStream } from '../src/testing'
import { hostileOf, mustRefuse, mutationOf } from './hostileEvents'

// At least 100,000 generated events per run: lifecycles mixed with duplicates,
// unknown ids, malformed Mesos JSON that the host failed to decode, and time
// going backwards, and every fourth event also passed hostile (see
// test/hostileEvents.ts). After every event: nothing threw, no execution is lost or
// ended twice, the metrics equal their recount and nothing is negative.
describe('hostile streams at volume', () => {
  it('survives 100,000 hostile events', () => {
    const seed = Date.now() % 2 ** 31
    const streams: EventStream[] = fc.sample(hostileEventStream({ maxLength: 300 }), { numRuns: 1_200, seed })
    const garbage = fc.sample(malformedMesosStatus(['scale_job_fw_1x1_main', 'scale_job_fw_2x1_pull']), {
      numRuns: 500,
      seed,
    })
    let total = 0
    for (const stream of streams) {
      const ended = new Set<string>()
      let state = Manager.create(stream.start)
      for (const { now, event } of stream.events) {
        // The host decodes raw statuses first; malformed ones never reach the manager.
        const raw = garbage[total % garbage.length]
        const decoded = TaskUpdate.fromMesos(raw)
        expect(E.isLeft(decoded), `seed ${seed}: ${JSON.stringify(raw)}`).toBe(true)
        // Every fourth event is also passed hostile first, as a JavaScript host
        // could (a field made NaN, null, a fraction, deleted, ...): it must not
        // throw, and what the guide says is refused leaves the very same state.
        if (total % 4 === 0) {
          const hostile = hostileOf(event, now, mutationOf(total + seed))
          const next = Manager.reduce(state, hostile.event as Manager.ManagerEvent, hostile.now as number)
          if (mustRefuse(hostile)) expect(next, `seed ${seed}: ${JSON.stringify(hostile.path)}`).toBe(state)
          // (A refused one is the state checked below; only one that applied needs its own check.)
          const hostileBroken = next === state ? [] : checkInvariants(next)
          if (hostileBroken.length > 0) expect(hostileBroken, `seed ${seed}, hostile`).toEqual([])
        }
        const [messages, drained] = Manager.drain(Manager.reduce(state, event, now), now)
        state = drained
        total++
        for (const record of Manager.endRecordsOf(messages)) {
          if (record.id < 0) continue // canceled-off-queue records of the generator
          expect(ended.has(record.clusterId), `${record.clusterId} ended twice`).toBe(false)
          expect(Manager.runningExecution(state, record.clusterId)).toBeUndefined()
          ended.add(record.clusterId)
        }
        const broken = checkInvariants(state)
        if (broken.length > 0) expect(broken, `seed ${seed}`).toEqual([])
      }
    }
    expect(total).toBeGreaterThanOrEqual(100_000)
  })
})
