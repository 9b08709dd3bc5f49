/**
 * Event log lines (contract §12, record and replay): what a refused line says, Mesos
 * statuses inside a log, the bookkeeping of a replay.
 */
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { EventLog } from '../src/index'

const T0 = Date.UTC(2026, 0, 1)

describe('event log lines say what is wrong', () => {
  const reason = (text: string): string =>
    E.fold(
      (l: string) => l,
      () => 'accepted',
    )(EventLog.decodeLine(text))

  // Plain test names: Stryker finds a test again by its name, as a pattern.
  it.each([
    ['an event that is a number', '{"now":1,"event":7}', 'event: expected an object'],
    ['an event that is a list', '{"now":1,"event":[]}', 'event: expected an object'],
    ['an event that is null', '{"now":1,"event":null}', 'event: expected an object'],
    ['an event without a type', '{"now":1,"event":{}}', 'event.type: unknown event type undefined'],
    ['an event with a numeric type', '{"now":1,"event":{"type":7}}', 'event.type: unknown event type 7'],
    ['an event missing a field', '{"now":1,"event":{"type":"NodeLost"}}', 'event.nodeId: expected'],
    ['two bad fields', '{"now":1,"event":{"type":"ExecutionsLost","ids":[1,true,null]}}', 'event.ids.1: expected'],
    [
      'a Mesos status that does not decode',
      '{"now":1,"event":{"type":"TaskUpdated","update":{"type":"MesosStatus","status":{"state":"TASK_RUNNING"}}}}',
      'event.update.status: ',
    ],
    ['a line that is a list', '[1]', '<root>: expected'],
    ['a line without now', '{"event":{}}', 'now: expected'],
  ])('refuses %s', (_, line, expected) => {
    expect(reason(line).startsWith(expected)).toBe(true)
  })

  it('joins the problems of one event', () => {
    expect(reason('{"now":1,"event":{"type":"ExecutionsLost","ids":[1,true,null]}}')).toMatch(
      /^event\.ids\.1: expected [^;]+; event\.ids\.2: expected/,
    )
    expect(reason('{"now":1,"event":{"type":"TaskUpdated","update":{"type":"MesosStatus","status":{}}}}')).toMatch(
      /^event\.update\.status: [^\n]+; /,
    )
  })

  it('tells Mesos updates only among TaskUpdated events', () => {
    expect(EventLog.isMesosUpdate({ type: 'NodeLost', nodeId: 1 })).toBe(false)
  })

  it('names the nodes of history records', () => {
    const record = { nodeId: 3, jobTypeId: 1, status: 'COMPLETED', finished: T0 }
    expect(EventLog.nodesOf({ type: 'HistoryLoaded', records: [record, { ...record, nodeId: 'x' }] })).toEqual([3, 'x'])
    expect(EventLog.nodesOf({ type: 'TimeoutsChecked' })).toEqual([])
  })

  it("reports a node once however its id is spelt ('3' and 3)", () => {
    let replay = EventLog.startReplay()
    for (const [line, nodeId] of [
      [1, 3],
      [2, '3'],
      [3, '03'],
    ] as const) {
      replay = EventLog.replayLine(replay, JSON.stringify({ now: line, event: { type: 'NodeLost', nodeId } }), line)
    }
    expect(EventLog.summary(replay).status.map((node) => node.id)).toEqual([3, '03'])
  })

  it('sums up drained messages sorted by type', () => {
    let replay = EventLog.startReplay()
    const host = ['zeta', 'alpha', 'mid'].map((type) => ({ type }))
    replay = EventLog.replayLine(
      replay,
      JSON.stringify({ now: 1, event: { type: 'Scheduled', executions: [], messages: host } }),
      1,
    )
    expect(Object.keys(EventLog.summary(replay).messages)).toEqual(['alpha', 'mid', 'zeta'])
  })

  it('accepts a TaskUpdated event with a decoded update or a Mesos status', () => {
    const update = { taskId: 'scale_job_fw_1x1_main', status: 'RUNNING', timestamp: 5 }
    expect(EventLog.decodeLine(JSON.stringify({ now: 1, event: { type: 'TaskUpdated', update } }))).toEqual(
      E.right({ now: 1, event: { type: 'TaskUpdated', update } }),
    )
    const mesos = { task_id: { value: 'scale_job_fw_1x1_main' }, state: 'TASK_RUNNING', timestamp: 0.005 }
    const decoded = EventLog.decodeLine(
      JSON.stringify({ now: 1, event: { type: 'TaskUpdated', update: { type: 'MesosStatus', status: mesos } } }),
    )
    expect(decoded).toEqual(E.right({ now: 1, event: { type: 'TaskUpdated', update: { ...update } } }))
    expect(EventLog.isMesosUpdate({ type: 'TaskUpdated', update: { type: 'MesosStatus', status: mesos } })).toBe(true)
    expect(
      EventLog.isMesosUpdate({ type: 'TaskUpdated', update: { taskId: 'x', status: 'RUNNING', timestamp: 1 } }),
    ).toBe(false)
  })

  it('counts host messages by their type, or as host', () => {
    expect(
      EventLog.countMessages(['a', { type: 'RunningJobs' }, { type: 7 }, null, { type: 'RunningJobs' }], { host: 1 }),
    ).toEqual({
      host: 4,
      RunningJobs: 2,
    })
    expect(EventLog.countMessages([{ type: 'JobExeEnd', records: [] }])).toEqual({})
  })

  it('counts the finished jobs of the window at the last instant of the log, not those that have left it', () => {
    const day = 24 * 3_600_000
    const finished = 10 * day
    const record = { nodeId: 1, jobTypeId: 1, status: 'COMPLETED', finished }
    let replay = EventLog.startReplay()
    const lines = [
      { now: finished, event: { type: 'HistoryLoaded', records: [record] } },
      { now: finished + 2 * day, event: { type: 'TimeoutsChecked' } },
    ]
    lines.forEach((entry, i) => (replay = EventLog.replayLine(replay, JSON.stringify(entry), i + 1)))
    expect(EventLog.summary(replay).status.map((n) => [n.id, n.job_executions.completed.total])).toEqual([[1, 0]])
    // Within the window, the job counts.
    const within = EventLog.replayLine(EventLog.startReplay(), JSON.stringify(lines[0]), 1)
    expect(EventLog.summary(within).status.map((n) => [n.id, n.job_executions.completed.total])).toEqual([[1, 1]])
  })

  it('records refused lines and the nodes it has seen', () => {
    let replay = EventLog.startReplay()
    replay = EventLog.replayLine(replay, 'nope', 1)
    replay = EventLog.replayLine(replay, '{"now":3,"event":{"type":"NodeLost","nodeId":"b"}}', 2)
    replay = EventLog.replayLine(replay, '{"now":4,"event":{"type":"NodeLost","nodeId":"a"}}', 3)
    replay = EventLog.replayLine(replay, '{"now":5,"event":{"type":"TimeoutsChecked"}}', 4)
    expect(replay.refused.map((r) => r.line)).toEqual([1])
    expect([replay.replayed, replay.lastNow]).toEqual([3, 5])
    expect(EventLog.summary(replay).status.map((n) => n.id)).toEqual(['a', 'b'])
  })
})
