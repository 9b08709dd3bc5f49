// The reducers are total: fed hostile variants of valid events (any field
// made NaN, infinite, fractional, -0, null, undefined, a string, an object, a
// __proto__-keyed object, or deleted; unknown types; unsafe instants), they
// never throw, never hang, never change their (deeply frozen) input, refuse
// what the events guide says they refuse with the very same state, keep every
// invariant, and name no deadline that is not a safe integer.
import { fc, test } from '@fast-check/vitest'
import * as O from 'fp-ts/Option'
import { describe, expect } from 'vitest'
import { Execution, Manager, Task } from '../src/index'
import { anyExecutionSpec, checkInvariants, eventStream, type EventStream } from '../src/testing'
import { deepFreeze, fingerprint } from './fixtures'
import { hostileOf, mustRefuse, mutationArb, type Mutation } from './hostileEvents'

// What a JavaScript host may pass: the types do not hold it.
const unchecked = <T>(value: unknown): T => value as T

const streamWithMutations = fc
  .tuple(eventStream({ maxLength: 40 }), fc.array(mutationArb, { minLength: 40, maxLength: 40 }), anyExecutionSpec)
  // Execution ids are unique in a host's database: the spec's must not be one of the stream's.
  .map(([stream, mutations, spec]) => ({ stream, mutations, spec: { ...spec, id: 1_000_000 + spec.id } }))

// The valid events an execution or its current task could take at `now`.
const executionEvents = (execution: Execution.Execution, now: number): Execution.ExecutionEvent[] => {
  const task = Execution.currentTask(execution) ?? Execution.nextTask(execution)
  const taskId = task?.id ?? `${execution.clusterId}_main`
  return [
    { type: 'NextTaskStarted' },
    { type: 'TaskLaunched', taskId },
    { type: 'TaskUpdated', update: { taskId, status: 'RUNNING', timestamp: now, containerName: 'c', exitCode: 0 } },
    { type: 'TaskUpdated', update: { taskId, status: 'FAILED', timestamp: now, exitCode: 2, reason: 'r' } },
    { type: 'TaskTimedOut', taskId },
    { type: 'Canceled' },
    { type: 'NodeLost' },
    { type: 'StarvationChecked' },
  ]
}

const taskEvents = (task: Task.Task, now: number): Task.TaskEvent[] => [
  { type: 'Launched' },
  { type: 'Updated', update: { taskId: task.id, status: 'LOST', timestamp: now, agentId: 'a' } },
  { type: 'Updated', update: { taskId: task.id, status: 'FINISHED', timestamp: now, message: 'm' } },
  { type: 'TimedOut' },
  { type: 'Renamed' },
]

const hasNoEmptySlot = (execution: Execution.Execution): boolean =>
  Array.from({ length: Execution.tasks(execution).length }, (_, i) => Execution.tasks(execution)[i]).every(
    (task) => typeof task === 'object' && task !== null,
  ) &&
  (execution.current === undefined || Execution.currentTask(execution) !== undefined)

const pick = <T>(items: readonly T[], n: number): T | undefined => items[n % Math.max(1, items.length)]

describe('reducers fed hostile events', () => {
  test.prop([streamWithMutations])(
    'Manager.reduce never throws or hangs, never changes its input, refuses as documented, keeps its invariants',
    ({ stream, mutations, spec }: { stream: EventStream; mutations: Mutation[]; spec: Execution.ExecutionSpec }) => {
      let state = Manager.create(stream.start)
      stream.events.forEach(({ now, event }, i) => {
        const m = mutations[i % mutations.length]
        if (m !== undefined) {
          // Half the time a spec scheduled as it is, so that spec fields are hit too.
          const base: Manager.ManagerEvent = m.path % 2 === 0 ? event : { type: 'Scheduled', executions: [spec] }
          const hostile = hostileOf(base, now, m)
          const frozen = deepFreeze(state)
          deepFreeze(hostile.event)
          const print = fingerprint(frozen)
          const next = Manager.reduce(frozen, unchecked(hostile.event), unchecked(hostile.now))
          expect(fingerprint(frozen)).toBe(print)
          if (mustRefuse(hostile)) expect(next, JSON.stringify(hostile.path)).toBe(frozen)
          expect(checkInvariants(next)).toEqual([])
          const deadline = Manager.nextDeadline(next)
          expect(O.isNone(deadline) || Number.isSafeInteger(deadline.value)).toBe(true)
          const [messages] = Manager.drain(next, now)
          expect(Manager.endRecordsOf(messages).filter((r) => r.status === 'RUNNING')).toEqual([])
          for (const execution of Manager.runningExecutions(next)) expect(hasNoEmptySlot(execution)).toBe(true)
          // It goes on from the state the hostile event left, so that its effects are exercised.
          if (next !== frozen && i % 3 === 0) state = Manager.drain(next, now)[1]
        }
        state = Manager.drain(Manager.reduce(state, event, now), now)[1]
      })
    },
  )

  test.prop([streamWithMutations])(
    'Execution.reduce and Task.reduce never throw, never change their input, refuse as documented, leave no empty task slot',
    ({ stream, mutations }: { stream: EventStream; mutations: Mutation[] }) => {
      let state = Manager.create(stream.start)
      stream.events.forEach(({ now, event }, i) => {
        state = Manager.reduce(state, event, now)
        const m = mutations[i % mutations.length]
        const execution = pick(Manager.runningExecutions(state), i)
        if (m === undefined || execution === undefined) return
        const frozen = deepFreeze(execution)
        const print = fingerprint(frozen)
        const base = pick(executionEvents(frozen, now), m.value)
        if (base === undefined) return
        const hostile = hostileOf(base, now, m)
        deepFreeze(hostile.event)
        const next = Execution.reduce(frozen, unchecked(hostile.event), unchecked(hostile.now))
        expect(fingerprint(frozen)).toBe(print)
        if (mustRefuse(hostile)) expect(next).toBe(frozen)
        expect(hasNoEmptySlot(next)).toBe(true)
        const task = pick(Execution.tasks(frozen), m.path)
        if (task === undefined) return
        const taskBase = pick(taskEvents(task, now), m.value)
        if (taskBase === undefined) return
        const hostileTask = hostileOf(taskBase, now, m)
        deepFreeze(hostileTask.event)
        const nextTask = Task.reduce(task, unchecked(hostileTask.event), unchecked(hostileTask.now))
        expect(fingerprint(frozen)).toBe(print)
        if (mustRefuse(hostileTask)) expect(nextTask).toBe(task)
        expect(typeof nextTask === 'object' && nextTask !== null).toBe(true)
      })
    },
  )
})
