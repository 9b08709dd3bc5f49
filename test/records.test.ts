// The records' one definition (src/internal/records.ts): the reducers' entry
// guards are generated from the same field tables as the codecs.
import { readFileSync } from 'node:fs'
import type * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { GUARDS_FILE, guardsSource } from '../scripts/guards'
import * as guards from '../src/internal/fieldGuards'
import { ExecutionShape, GUARDED } from '../src/internal/records'
import { listed } from '../src/internal/taskList'
import { Execution } from '../src/index'
import { executionSpec, jobType } from './fixtures'

// Under mutation testing the sources are instrumented (and marked @ts-nocheck):
// the generated file cannot match its script there, and no mutant is killed by it.
const instrumented = process.env['JEC_MUTATION_RUNS'] !== undefined

describe('field guards', () => {
  it.skipIf(instrumented)('fieldGuards.ts is what scripts/guards.ts writes from the field tables', async () => {
    expect(readFileSync(GUARDS_FILE, 'utf8')).toBe(await guardsSource())
  })

  it('each guarded record has its guard, and checks exactly the fields its codec names', () => {
    for (const record of GUARDED) {
      expect(typeof (guards as Record<string, unknown>)[record.guard]).toBe('function')
    }
    const execution = GUARDED.find((r) => r.guard === 'isExecutionFields')
    const [required, partial] = ExecutionShape.types
    expect(Object.keys(execution?.required ?? {})).toEqual(Object.keys(required.props))
    expect(Object.keys(execution?.optional ?? {})).toEqual(Object.keys((partial as t.PartialC<t.Props>).props))
  })

  it('an instant is any finite number to the codec, a safe integer to the guard', () => {
    const error = { name: 'e', category: 'DATA', title: 'E' }
    const record = {
      id: 1,
      clusterId: 'c',
      jobId: 1,
      exeNum: 1,
      jobTypeId: 1,
      nodeId: 1,
      status: 'FAILED',
      error,
      queued: 0.5,
      started: 1,
      finished: 2,
      taskResults: { version: '1.0', tasks: [] },
    }
    expect(guards.isEndRecord(record)).toBe(false)
    expect(guards.isEndRecord({ ...record, queued: 0 })).toBe(true)
    expect(guards.isJobError(error)).toBe(true)
    expect(guards.isJobError({ ...error, category: 'toString' })).toBe(false)
  })

  it('a job error needs a string name and a string title', () => {
    const error = { name: 'e', category: 'DATA', title: 'E' }
    expect(guards.isJobError({ ...error, name: 1 })).toBe(false)
    expect(guards.isJobError({ ...error, title: undefined })).toBe(false)
    expect(guards.isJobError(null)).toBe(false)
  })

  it('a task configuration is refused when any field is of the wrong type', () => {
    const config = Execution.tasks(Execution.create(executionSpec()))[0]?.config
    expect(guards.isTaskConfig(config)).toBe(true)
    // Fresh objects each time: the guard remembers the objects it accepted.
    const changed = (change: Record<string, unknown>): unknown => ({ ...config, ...change })
    expect(guards.isTaskConfig(changed({}))).toBe(true)
    expect(guards.isTaskConfig(null)).toBe(false)
    expect(guards.isTaskConfig(changed({ runningTimeout: 5 }))).toBe(true)
    expect(guards.isTaskConfig(changed({ usesDocker: 'yes' }))).toBe(false)
    expect(guards.isTaskConfig(changed({ isSystem: 0 }))).toBe(false)
    expect(guards.isTaskConfig(changed({ stagingTimeout: -1 }))).toBe(false)
    expect(guards.isTaskConfig(changed({ runningTimeout: -1 }))).toBe(false)
    expect(guards.isTaskConfig(changed({ runningTimeout: 'long' }))).toBe(false)
  })

  it("an execution's ids must be of their types", () => {
    const execution = Execution.create(executionSpec())
    expect(guards.isExecutionFields(execution)).toBe(true)
    expect(guards.isExecutionFields({ ...execution, clusterId: 1 })).toBe(false)
    expect(guards.isExecutionFields({ ...execution, agentId: 1 })).toBe(false)
  })

  it("an end record's optional error and finished instant, when present, are of their types", () => {
    const record = {
      id: 1,
      clusterId: 'c',
      jobId: 1,
      exeNum: 1,
      jobTypeId: 1,
      nodeId: 1,
      status: 'COMPLETED',
      queued: 0,
      started: 1,
      taskResults: { version: '1.0', tasks: [] },
    }
    expect(guards.isEndRecord(record)).toBe(true)
    expect(guards.isEndRecord({ ...record, finished: 2 })).toBe(true)
    expect(guards.isEndRecord({ ...record, finished: 2.5 })).toBe(false)
    expect(guards.isEndRecord({ ...record, error: { name: 'e', category: 'BAD', title: 'E' } })).toBe(false)
  })

  it('each guard refuses its record with any field of no type at all, or a required one missing', () => {
    const error = { name: 'e', category: 'DATA', title: 'E' } as const
    const execution = Execution.create(executionSpec(1, { priority: 1, exitCodeErrors: { 1: error } }))
    const task = Execution.tasks(execution)[0]
    const examples: Record<string, object | undefined> = {
      isJobError: error,
      isSettings: Execution.DEFAULT_SETTINGS,
      isJobType: jobType(),
      isTaskConfig: task?.config,
      isTaskFields: task,
      isExecutionSpecFields: executionSpec(),
      isExecutionFields: execution,
      isListedExecutionFields: listed(execution),
      isEndRecord: {
        id: 1,
        clusterId: 'c',
        jobId: 1,
        exeNum: 1,
        jobTypeId: 1,
        nodeId: 1,
        status: 'FAILED',
        error,
        queued: 0,
        started: 1,
        finished: 2,
        taskResults: { version: '1.0', tasks: [] },
      },
    }
    // No field of any record is a symbol.
    const none = Symbol('none')
    for (const record of GUARDED) {
      const example = examples[record.guard]
      const guard = (guards as Record<string, ((value: unknown) => boolean) | undefined>)[record.guard]
      expect([record.guard, typeof example, typeof guard]).toEqual([record.guard, 'object', 'function'])
      if (example === undefined || guard === undefined) continue
      const is = (value: unknown): boolean => guard(value)
      expect([record.guard, is({ ...example })]).toEqual([record.guard, true])
      for (const key of Object.keys(record.required)) {
        const { [key]: _, ...missing } = example as Record<string, unknown>
        expect([record.guard, key, is(missing)]).toEqual([record.guard, key, false])
        expect([record.guard, key, is({ ...example, [key]: none })]).toEqual([record.guard, key, false])
      }
      for (const key of Object.keys(record.optional)) {
        expect([record.guard, key, is({ ...example, [key]: undefined })]).toEqual([record.guard, key, true])
        expect([record.guard, key, is({ ...example, [key]: none })]).toEqual([record.guard, key, false])
      }
    }
  })
})
