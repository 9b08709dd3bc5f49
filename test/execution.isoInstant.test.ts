// End records write their tasks' instants as `new Date(ms).toISOString()`
// does, without paying for it per instant (internal/isoInstant): the text is
// byte for byte the same for every instant a Date holds. Update timestamps
// reach end records unchanged, so every safe integer can: years before 1000,
// after 9999 and before 0, leap days, the edges of the Date range, and
// (clamped, as before) beyond it.
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { Execution, TaskResults, type TaskUpdate } from '../src/index'
import { isoOfInstant, MAX_DATE } from '../src/internal/isoInstant'
import { runs } from './fixtures'

const DAY = 86_400_000

const reference = (ms: number): string => new Date(ms).toISOString()

const same = (ms: number): void => {
  expect(isoOfInstant(ms)).toBe(reference(ms))
}

const inRange = fc.integer({ min: -MAX_DATE, max: MAX_DATE })

// A midnight of any day a Date holds, give or take a few milliseconds.
const nearMidnight = fc
  .tuple(fc.integer({ min: -100_000_000, max: 100_000_000 }), fc.integer({ min: -3, max: 3 }))
  .map(([day, offset]) => Math.max(-MAX_DATE, Math.min(MAX_DATE, day * DAY + offset)))

// Any calendar instant, by its fields: years from the first a Date holds to the last.
const byFields = fc
  .record({
    year: fc.oneof(
      fc.integer({ min: -271_820, max: 275_759 }),
      fc.integer({ min: -1, max: 1_001 }),
      fc.integer({ min: 9_998, max: 10_001 }),
    ),
    month: fc.integer({ min: 0, max: 11 }),
    day: fc.integer({ min: 1, max: 31 }),
    hours: fc.integer({ min: 0, max: 23 }),
    minutes: fc.integer({ min: 0, max: 59 }),
    seconds: fc.integer({ min: 0, max: 59 }),
    ms: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ year, month, day, hours, minutes, seconds, ms }) => {
    const date = new Date(0)
    // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
    date.setUTCFullYear(year, month, day)
    date.setUTCHours(hours, minutes, seconds, ms)
    return date.getTime()
  })

// February 28 and 29 and March 1 of leap and common years, centuries included.
const aroundLeapDays = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: -2_000, max: 12_000 }),
      fc.integer({ min: -100, max: 120 }).map((c) => c * 100),
      fc.integer({ min: -700, max: 700 }).map((c) => c * 400),
    ),
    fc.constantFrom(28, 29, 30),
    fc.integer({ min: 0, max: DAY - 1 }),
  )
  .map(([year, day, time]) => {
    const date = new Date(0)
    date.setUTCFullYear(year, 1, day)
    return date.getTime() + time
  })
  .filter((ms) => Math.abs(ms) <= MAX_DATE)

describe('isoOfInstant is toISOString, byte for byte', () => {
  test.prop([inRange], { numRuns: runs(2_000) })('on any integer instant a Date holds', same)
  test.prop([nearMidnight], { numRuns: runs(2_000) })('around midnight, on any day', same)
  test.prop([byFields], { numRuns: runs(2_000) })('on any calendar instant, years < 1000, > 9999 and < 0 too', same)
  test.prop([aroundLeapDays], { numRuns: runs(1_000) })('around leap days', same)
  test.prop([fc.double({ min: -MAX_DATE, max: MAX_DATE, noNaN: true })], { numRuns: runs(1_000) })(
    'on fractions (cut towards zero, as a Date cuts them)',
    same,
  )

  it('at the edges: the epoch, -0, the first and last instant of the range, its midnights', () => {
    for (const ms of [0, -0, -0.5, 0.5, -1, 1, MAX_DATE, -MAX_DATE, MAX_DATE - 1, -MAX_DATE + 1]) same(ms)
    for (const ms of [DAY - 1, DAY, -DAY, -DAY - 1, -DAY + 1, MAX_DATE - DAY, -62_167_219_200_000 - 1]) same(ms)
  })

  it('a day met again after the table filled up is computed again, not taken from another day', () => {
    // 64 slots: days 64 apart share one.
    for (let round = 0; round < 3; round++) for (let day = 0; day < 200; day += 64) same(day * DAY + round)
  })
})

describe('end records write their instants as toISOString does', () => {
  const CID = 'scale_job_fw1_42x3'
  const spec: Execution.ExecutionSpec = {
    id: 1,
    clusterId: CID,
    jobId: 42,
    exeNum: 3,
    jobTypeId: 5,
    nodeId: 'node-a',
    agentId: 'agent-1',
    queued: -MAX_DATE,
    started: -MAX_DATE,
    jobType: { name: 'ingest', isSystem: false, isLongRunning: false, timeout: 3_600_000 },
    taskTypes: ['main'],
  }
  const updated = (status: TaskUpdate.TaskStatus, timestamp: number): Execution.ExecutionEvent => ({
    type: 'TaskUpdated',
    update: { taskId: `${CID}_main`, status, timestamp, ...(status === 'FINISHED' ? { exitCode: 0 } : {}) },
  })
  // Instants of the Date range, and (clamped to it) beyond.
  const instant = fc.oneof(inRange, byFields, fc.maxSafeInteger(), fc.constantFrom(-MAX_DATE - 1, MAX_DATE + 1))
  const clamp = (ms: number): number => Math.max(-MAX_DATE, Math.min(MAX_DATE, ms))

  test.prop([fc.array(instant, { minLength: 3, maxLength: 3 }).map((xs) => [...xs].sort((a, b) => a - b))], {
    numRuns: runs(500),
  })('launched, started and ended, at any instant', ([launched = 0, started = 0, ended = 0]) => {
    let exe = Execution.create(spec)
    exe = Execution.reduce(exe, { type: 'NextTaskStarted' }, launched)
    exe = Execution.reduce(exe, { type: 'TaskLaunched' }, launched)
    exe = Execution.reduce(exe, updated('RUNNING', started), started)
    exe = Execution.reduce(exe, updated('FINISHED', ended), ended)
    const task = Execution.tasks(exe)[0]
    const result = Execution.endRecord(exe).taskResults.tasks[0]
    expect(task?.launched).toBeDefined()
    expect(task?.started).toBeDefined()
    expect(task?.ended).toBeDefined()
    const expected: Record<string, string> = {}
    if (task?.launched !== undefined) expected['launched'] = reference(clamp(task.launched))
    if (task?.started !== undefined) expected['started'] = reference(clamp(task.started))
    if (task?.ended !== undefined) expected['ended'] = reference(clamp(task.ended))
    expect(result).toMatchObject(expected)
    expect(TaskResults.fromExecution(exe).tasks[0]).toStrictEqual(result)
  })
})
