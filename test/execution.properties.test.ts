// Invariants of the core (tasks, executions, decoders), checked with fast-check
// on inputs drawn from the library's own test kit.
import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/Either'
import { describe, expect } from 'vitest'
import { Execution, TaskResults, TaskUpdate } from '../src/index'
import { anyExecutionSpec, malformedMesosStatus, mesosStatus, taskUpdate } from '../src/testing'
import { deepFreeze, fingerprint } from './fixtures'

type Step =
  | { readonly kind: 'event'; readonly event: Execution.ExecutionEvent }
  | {
      readonly kind: 'update'
      readonly status: TaskUpdate.TaskStatus
      readonly exitCode: number
      readonly stale: boolean
    }
  | { readonly kind: 'timedOut' }

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc
    .constantFrom<Execution.ExecutionEvent>(
      { type: 'NextTaskStarted' },
      { type: 'NextTaskStarted' },
      { type: 'TaskLaunched' },
      { type: 'TaskLaunched' },
      { type: 'Canceled' },
      { type: 'NodeLost' },
      { type: 'StarvationChecked' },
      { type: 'KillRequested' },
    )
    .map((event) => ({ kind: 'event' as const, event })),
  fc.record({
    kind: fc.constant('update' as const),
    status: fc.constantFrom<TaskUpdate.TaskStatus>(
      'RUNNING',
      'FINISHED',
      'FINISHED',
      'FAILED',
      'KILLED',
      'LOST',
      'STAGING',
    ),
    exitCode: fc.integer({ min: 0, max: 4 }),
    stale: fc.boolean(),
  }),
  fc.constant({ kind: 'timedOut' as const }),
)

// Resolves a step against the execution so that updates usually name its current task.
const eventOf = (execution: Execution.Execution, step: Step, now: number): Execution.ExecutionEvent => {
  const task = Execution.currentTask(execution) ?? Execution.tasks(execution)[0]
  const taskId =
    task === undefined ? 'scale_job_fw_0x0_main' : step.kind === 'update' && step.stale ? task.baseId : task.id
  switch (step.kind) {
    case 'event':
      return step.event
    case 'timedOut':
      return { type: 'TaskTimedOut', taskId }
    case 'update':
      return { type: 'TaskUpdated', update: { taskId, status: step.status, timestamp: now, exitCode: step.exitCode } }
  }
}

const executionRun = fc.record({
  spec: anyExecutionSpec,
  steps: fc.array(fc.tuple(fc.integer({ min: 0, max: 700_000 }), stepArb), { maxLength: 40, size: 'max' }),
  maxLostRetries: fc.option(fc.nat(3), { nil: undefined }),
})

interface Run {
  readonly executions: readonly Execution.Execution[]
  readonly events: ReadonlyArray<readonly [Execution.ExecutionEvent, number]>
}

interface RunInput {
  readonly spec: Execution.ExecutionSpec
  readonly steps: ReadonlyArray<readonly [number, Step]>
  readonly maxLostRetries: number | undefined
}

const play = (run: RunInput): Run => {
  let execution = Execution.create(run.spec, { maxLostRetries: run.maxLostRetries })
  let now = run.spec.started
  const executions = [execution]
  const events: Array<readonly [Execution.ExecutionEvent, number]> = []
  for (const [dt, step] of run.steps) {
    now += dt
    const event = eventOf(execution, step, now)
    events.push([event, now])
    execution = Execution.reduce(execution, event, now)
    executions.push(execution)
  }
  return { executions, events }
}

describe('Execution.reduce', () => {
  test.prop([executionRun])('never changes its input, even deeply frozen', (run) => {
    const { executions, events } = play(run)
    events.forEach(([event, now], i) => {
      const before = executions[i]
      if (before === undefined) return
      const frozen = deepFreeze(structuredClone(before))
      const print = fingerprint(frozen)
      expect(() => Execution.reduce(frozen, event, now)).not.toThrow()
      expect(fingerprint(frozen)).toBe(print)
    })
  })

  test.prop([executionRun])('a repeated event changes nothing the second time (except a renaming LOST)', (run) => {
    const { executions, events } = play(run)
    events.forEach(([event, now], i) => {
      const after = executions[i + 1]
      if (after === undefined) return
      expect(Execution.reduce(after, event, now)).toBe(after)
    })
  })

  test.prop([executionRun])('the first final status, its instant and error stick', (run) => {
    const { executions } = play(run)
    const firstFinal = executions.find((x) => x.status !== 'RUNNING')
    if (firstFinal === undefined) return
    for (const later of executions.slice(executions.indexOf(firstFinal))) {
      expect(later.status).toBe(firstFinal.status)
      expect(later.finished).toBe(firstFinal.finished)
      expect(later.error).toBe(firstFinal.error)
      expect(Execution.nextTask(later)).toBeUndefined()
    }
  })

  test.prop([executionRun])('only the current task is ever launched and not ended', (run) => {
    for (const execution of play(run).executions) {
      Execution.tasks(execution).forEach((task, index) => {
        if (task.lastStatusUpdate !== undefined && task.ended === undefined) expect(index).toBe(execution.current)
      })
    }
  })

  test.prop([executionRun])('task results of any execution decode back to themselves', (run) => {
    for (const execution of play(run).executions) {
      const results = TaskResults.fromExecution(execution)
      expect(TaskResults.decode(JSON.parse(JSON.stringify(results)))).toEqual(E.right(results))
    }
  })
})

describe('decoders never throw', () => {
  test.prop([fc.jsonValue()])('TaskUpdate.fromMesos on arbitrary JSON', (json) => {
    expect(() => TaskUpdate.fromMesos(json)).not.toThrow()
  })

  test.prop([fc.anything()])('TaskUpdate.fromMesos on arbitrary values', (value) => {
    expect(() => TaskUpdate.fromMesos(value)).not.toThrow()
  })

  test.prop([malformedMesosStatus(['scale_job_fw_1x1_main'])])(
    'malformed Mesos statuses are a Left naming a path',
    (json) => {
      const decoded = TaskUpdate.fromMesos(json)
      expect(E.isLeft(decoded)).toBe(true)
      if (E.isLeft(decoded)) {
        expect(decoded.left.problems.length).toBeGreaterThan(0)
        expect(decoded.left.message).toMatch(/task_id|state|timestamp|agent_id|<root>/)
      }
    },
  )

  test.prop([mesosStatus(['scale_job_fw_1x1_main', 'scale_job_fw_1x1_pull_lost-2'])])(
    'well-formed Mesos statuses (with extra fields) decode',
    (json) => {
      const decoded = TaskUpdate.fromMesos(json)
      expect(E.isRight(decoded)).toBe(true)
      if (E.isRight(decoded)) expect(Number.isInteger(decoded.right.timestamp)).toBe(true)
    },
  )

  test.prop([fc.jsonValue()])('TaskResults.decode on arbitrary JSON', (json) => {
    expect(() => TaskResults.decode(json)).not.toThrow()
  })

  test.prop([fc.anything()])('Execution.decodeSettings on arbitrary values', (value) => {
    expect(() => Execution.decodeSettings(value)).not.toThrow()
  })

  test.prop([taskUpdate(['scale_job_fw_1x1_main'])])('task updates round-trip through their own codec', (update) => {
    expect(TaskUpdate.decode(JSON.parse(JSON.stringify(update)))).toEqual(E.right(update))
  })
})
