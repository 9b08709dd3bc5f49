// The fast path of EventLog.decodeLine (a logged Mesos status read by the
// codecs' guards) agrees with its io-ts path (every line through the codecs,
// every status through the io-ts path of fromMesos) on every line: the same
// Right entry, key order included, or the same reason. Lines: logged statuses
// from the test kit's Mesos arbitraries, well-formed or not, with hostile
// instants, `__proto__` keys at every level, updates that are also updates in
// the library's own form, every other event, and text that is not a line.
import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { EventLog } from '../src/index'
import { decodeLineByCodec, fastParsedLine } from '../src/internal/logLine'
import { eventStream, malformedMesosStatus, mesosStatus, taskUpdate } from '../src/testing'
import { runs } from './fixtures'

const IDS = ['scale_job_fw1_42x3_main', 'scale_job_fw1_1x1_pull']

/** Both paths give the same entry, or the same reason, for `line`. */
const agree = (line: string): void => {
  const fast = EventLog.decodeLine(line)
  const codec = decodeLineByCodec(line)
  expect(fast).toStrictEqual(codec)
  if (E.isRight(fast)) expect(JSON.stringify(fast.right)).toBe(JSON.stringify(E.isRight(codec) && codec.right))
}

const logged = (now: unknown, status: unknown): string =>
  JSON.stringify({ now, event: { type: 'TaskUpdated', update: { type: 'MesosStatus', status } } })

const instant = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 42 }),
  fc.constantFrom<unknown>(-1, 1.5, 1e300, -0, Number.MAX_SAFE_INTEGER, 2 ** 53, '5', null, true, [], {}),
)

const status = fc.oneof(
  mesosStatus(IDS),
  malformedMesosStatus(IDS),
  mesosStatus(IDS).map((s) => ({ ...s, message: null })),
  mesosStatus(IDS).map((s) => ({ ...s, timestamp: 1e20 })),
  // In the library's own form and tagged MesosStatus: the event's union takes
  // its first member, and the status is still what fromMesos reads.
  taskUpdate(IDS).map((u) => ({ ...u, type: 'MesosStatus' })),
)

const statusLine = fc.tuple(instant, status).map(([now, s]) => logged(now, s))

// Where in a logged status line a `__proto__` key goes, and what it holds.
const PROTO_AT = ['{"now"', '"event":{', '"update":{', '"status":{', '"task_id":{'] as const
const PROTO_HOLDS = [
  '{"now":"x","event":5}',
  '{"type":"Reboot","update":null,"status":7}',
  '{"message":{"toString":1},"data":5,"agent_id":"x","timestamp":"soon"}',
  '{"value":7}',
  'null',
] as const

const poisoned = fc
  .tuple(
    fc.integer({ min: 0, max: 2 ** 42 }),
    mesosStatus(IDS),
    fc.constantFrom(...PROTO_AT),
    fc.constantFrom(...PROTO_HOLDS),
  )
  .map(([now, s, at, holds]) => {
    const line = logged(now, s)
    const open = at === '{"now"' ? '{' : at
    const index = line.indexOf(open)
    return index < 0
      ? line
      : `${line.slice(0, index + open.length)}"__proto__":${holds},${line.slice(index + open.length)}`
  })

// The same shape, with one part of it that is not what a logged status is.
const misshapen = fc.tuple(fc.integer({ min: 0, max: 2 ** 42 }), mesosStatus(IDS)).chain(([now, s]) =>
  fc.constantFrom(
    JSON.stringify({ now, event: { type: 'TaskUpdated', update: { type: 'MesosStatus' } } }),
    JSON.stringify({ now, event: { type: 'TaskUpdated', update: { type: 'MesosStatus', status: [s] } } }),
    JSON.stringify({ now, event: { type: 'TaskUpdated', update: [{ type: 'MesosStatus', status: s }] } }),
    JSON.stringify({ now, event: { type: 'TaskUpdated', update: null } }),
    JSON.stringify({ now, event: { type: 'TaskUpdated', update: { type: 'MesosStatus ', status: s } } }),
    JSON.stringify({ now, event: { type: 'TaskUpdate', update: { type: 'MesosStatus', status: s } } }),
    JSON.stringify({ now, event: [{ type: 'TaskUpdated', update: { type: 'MesosStatus', status: s } }] }),
    JSON.stringify({ now, event: { type: 'TaskUpdated', update: { type: 'KubernetesPod', pod: s } } }),
    JSON.stringify({ event: { type: 'TaskUpdated', update: { type: 'MesosStatus', status: s } } }),
    JSON.stringify([{ now, event: { type: 'TaskUpdated', update: { type: 'MesosStatus', status: s } } }]),
    JSON.stringify({
      now,
      extra: 1,
      event: { type: 'TaskUpdated', extra: 2, update: { type: 'MesosStatus', status: s, extra: 3 } },
    }),
    `${logged(now, s)} `,
    logged(now, s).slice(0, -1),
  ),
)

const otherEvents = eventStream({ maxLength: 10 }).map((stream) =>
  stream.events.map(({ now, event }) => EventLog.encodeLine(now, event)),
)

describe('EventLog.decodeLine: the fast path and the io-ts path agree', () => {
  test.prop([fc.integer({ min: 0, max: 2 ** 42 }), mesosStatus(IDS)], { numRuns: runs(300) })(
    'on logged well-formed statuses of the test kit',
    (now, s) => {
      const line = logged(now, JSON.parse(JSON.stringify(s)))
      // Not vacuous: every one of them takes the fast path.
      expect(fastParsedLine(JSON.parse(line))).toBeDefined()
      agree(line)
    },
  )

  test.prop([statusLine], { numRuns: runs(500) })('on logged statuses, well-formed or not, at any instant', agree)

  test.prop([poisoned], { numRuns: runs(300) })('on "__proto__" keys at every level of a logged status', agree)

  test.prop([misshapen], { numRuns: runs(300) })('on lines shaped almost like a logged status', agree)

  test.prop([otherEvents], { numRuns: runs(100) })('on every other event', (lines) => lines.forEach(agree))

  test.prop(
    [
      fc.oneof(
        fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
        fc.string(),
      ),
    ],
    { numRuns: runs(300) },
  )('on any JSON and any text', agree)

  it('a poisoned status is read by its own fields only, on both paths', () => {
    const line =
      '{"now":1,"event":{"type":"TaskUpdated","update":{"type":"MesosStatus","status":' +
      '{"__proto__":{"message":{"toString":1}},"task_id":{"value":"t"},"state":"TASK_FAILED","timestamp":1}}}}'
    agree(line)
    expect(EventLog.decodeLine(line)).toStrictEqual(
      E.right({ now: 1, event: { type: 'TaskUpdated', update: { taskId: 't', status: 'FAILED', timestamp: 1000 } } }),
    )
  })
})
