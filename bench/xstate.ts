// The same lifecycle built on XState v5, the way a TypeScript team would build
// it otherwise: one state machine per execution, with a state per task phase
// (waiting, ready, staging, running for each of pull, pre, main, post; then
// completed or failed) and the timestamps in its context, updated with
// `assign`. Two designs around it:
//
// (a) actors: one actor per execution (`createActor(machine).start()`), events
//     sent with `actor.send`, finished when its snapshot is `done`;
// (b) pure: the machine's snapshots in a Map, stepped with XState's pure
//     `transition(machine, snapshot, event)` (`initialTransition` to create).
//
// Both keep the same outbox of end records and the same running / finished
// counters as the plain mutable floor.
import { assign, createActor, initialTransition, setup, transition, type Actor, type SnapshotFrom } from 'xstate'
import type { Errors, Execution, Task, TaskUpdate } from '../src/index'
import { Errors as ErrorValues } from '../src/index'
import { ROUND_STEP, drainedOf, type Engine } from './engine'
import type { BenchEvent, LifecycleEvent } from './fixtures'
import { plainClusterIdOfTask, plainTaskResults } from './mutable'

interface MachineTask {
  readonly id: string
  readonly type: Task.TaskType
  readonly launched: number | undefined
  readonly started: number | undefined
  readonly ended: number | undefined
  readonly lastUpdate: number | undefined
  readonly timedOut: boolean
  readonly finalStatus: TaskUpdate.TerminalStatus | undefined
  readonly exitCode: number | undefined
  readonly containerName: string | undefined
}

interface MachineContext {
  readonly spec: Execution.ExecutionSpec
  readonly tasks: readonly MachineTask[]
  /** Index of the current task, -1 when none. */
  readonly current: number
  readonly next: number
  readonly status: Execution.ExecutionStatus
  readonly error: Errors.JobError | undefined
  readonly finished: number | undefined
  readonly lastTaskFinished: number | undefined
}

type MachineEvent =
  | { readonly type: 'NextTaskStarted'; readonly now: number }
  | { readonly type: 'TaskLaunched'; readonly taskId: string; readonly now: number }
  | { readonly type: 'TaskUpdated'; readonly update: TaskUpdate.TaskUpdate; readonly now: number }

const TYPES: readonly Task.TaskType[] = ['pull', 'pre', 'main', 'post']

const initialContext = (spec: Execution.ExecutionSpec): MachineContext => ({
  spec,
  tasks: TYPES.map((type) => ({
    id: `${spec.clusterId}_${type}`,
    type,
    launched: undefined,
    started: undefined,
    ended: undefined,
    lastUpdate: undefined,
    timedOut: false,
    finalStatus: undefined,
    exitCode: undefined,
    containerName: undefined,
  })),
  current: -1,
  next: 0,
  status: 'RUNNING',
  error: undefined,
  finished: undefined,
  lastTaskFinished: undefined,
})

const withCurrent = (context: MachineContext, change: (task: MachineTask) => MachineTask): readonly MachineTask[] =>
  context.tasks.map((task, i) => (i === context.current ? change(task) : task))

const updateOf = (event: MachineEvent): TaskUpdate.TaskUpdate | undefined =>
  event.type === 'TaskUpdated' ? event.update : undefined

const namesCurrent = (context: MachineContext, event: MachineEvent): boolean => {
  const update = updateOf(event)
  return update !== undefined && context.tasks[context.current]?.id === update.taskId
}

const failureError = (task: MachineTask): Errors.JobError => {
  if (task.type === 'pull') return ErrorValues.BUILTIN.pull
  if (task.started === undefined) return ErrorValues.BUILTIN['docker-task-launch']
  return task.type === 'main' ? ErrorValues.BUILTIN['algorithm-unknown'] : ErrorValues.BUILTIN.unknown
}

export const executionMachine = setup({
  types: {
    context: {} as MachineContext,
    events: {} as MachineEvent,
    input: {} as Execution.ExecutionSpec,
  },
  guards: {
    launchesCurrent: ({ context, event }) =>
      event.type === 'TaskLaunched' && context.tasks[context.current]?.id === event.taskId,
    currentRunning: ({ context, event }) => namesCurrent(context, event) && updateOf(event)?.status === 'RUNNING',
    currentFinished: ({ context, event }) => namesCurrent(context, event) && updateOf(event)?.status === 'FINISHED',
    currentFailed: ({ context, event }) => {
      const status = updateOf(event)?.status
      return namesCurrent(context, event) && (status === 'FAILED' || status === 'KILLED')
    },
  },
  actions: {
    startTask: assign(({ context }) => ({ current: context.next, next: context.next + 1 })),
    launchTask: assign(({ context, event }) => ({
      tasks: withCurrent(context, (task) => ({ ...task, launched: event.now, lastUpdate: event.now })),
    })),
    recordStart: assign(({ context, event }) => {
      const update = updateOf(event)
      if (update === undefined) return {}
      return {
        tasks: withCurrent(context, (task) => ({
          ...task,
          started: update.timestamp,
          lastUpdate: update.timestamp,
          containerName: update.containerName,
        })),
      }
    }),
    recordUpdate: assign(({ context, event }) => {
      const update = updateOf(event)
      if (update === undefined) return {}
      return { tasks: withCurrent(context, (task) => ({ ...task, lastUpdate: update.timestamp })) }
    }),
    recordEnd: assign(({ context, event }) => {
      const update = updateOf(event)
      if (update === undefined) return {}
      return {
        tasks: withCurrent(context, (task) => ({
          ...task,
          ended: update.timestamp,
          lastUpdate: update.timestamp,
          finalStatus: 'FINISHED' as const,
          exitCode: update.exitCode ?? 0,
        })),
        current: -1,
        lastTaskFinished: event.now,
      }
    }),
    complete: assign(({ context, event }) => ({
      status: 'COMPLETED' as const,
      finished: event.now,
      next: context.tasks.length,
    })),
    recordFailure: assign(({ context, event }) => {
      const update = updateOf(event)
      const task = context.tasks[context.current]
      if (update === undefined || task === undefined || (update.status !== 'FAILED' && update.status !== 'KILLED')) {
        return {}
      }
      const ended: MachineTask = {
        ...task,
        ended: update.timestamp,
        lastUpdate: update.timestamp,
        finalStatus: update.status,
        exitCode: update.exitCode,
      }
      return {
        tasks: withCurrent(context, () => ended),
        current: -1,
        status: 'FAILED' as const,
        finished: event.now,
        error: failureError(ended),
        next: context.tasks.length,
      }
    }),
  },
}).createMachine({
  id: 'execution',
  context: ({ input }) => initialContext(input),
  initial: 'pull',
  states: {
    pull: {
      initial: 'waiting',
      states: {
        waiting: { on: { NextTaskStarted: { target: 'ready', actions: 'startTask' } } },
        ready: { on: { TaskLaunched: { guard: 'launchesCurrent', target: 'staging', actions: 'launchTask' } } },
        staging: {
          on: {
            TaskUpdated: [
              { guard: 'currentRunning', target: 'running', actions: 'recordStart' },
              { guard: 'currentFinished', target: '#execution.pre', actions: 'recordEnd' },
              { guard: 'currentFailed', target: '#execution.failed', actions: 'recordFailure' },
            ],
          },
        },
        running: {
          on: {
            TaskUpdated: [
              { guard: 'currentFinished', target: '#execution.pre', actions: 'recordEnd' },
              { guard: 'currentFailed', target: '#execution.failed', actions: 'recordFailure' },
              { guard: 'currentRunning', actions: 'recordUpdate' },
            ],
          },
        },
      },
    },
    pre: {
      initial: 'waiting',
      states: {
        waiting: { on: { NextTaskStarted: { target: 'ready', actions: 'startTask' } } },
        ready: { on: { TaskLaunched: { guard: 'launchesCurrent', target: 'staging', actions: 'launchTask' } } },
        staging: {
          on: {
            TaskUpdated: [
              { guard: 'currentRunning', target: 'running', actions: 'recordStart' },
              { guard: 'currentFinished', target: '#execution.main', actions: 'recordEnd' },
              { guard: 'currentFailed', target: '#execution.failed', actions: 'recordFailure' },
            ],
          },
        },
        running: {
          on: {
            TaskUpdated: [
              { guard: 'currentFinished', target: '#execution.main', actions: 'recordEnd' },
              { guard: 'currentFailed', target: '#execution.failed', actions: 'recordFailure' },
              { guard: 'currentRunning', actions: 'recordUpdate' },
            ],
          },
        },
      },
    },
    main: {
      initial: 'waiting',
      states: {
        waiting: { on: { NextTaskStarted: { target: 'ready', actions: 'startTask' } } },
        ready: { on: { TaskLaunched: { guard: 'launchesCurrent', target: 'staging', actions: 'launchTask' } } },
        staging: {
          on: {
            TaskUpdated: [
              { guard: 'currentRunning', target: 'running', actions: 'recordStart' },
              { guard: 'currentFinished', target: '#execution.post', actions: 'recordEnd' },
              { guard: 'currentFailed', target: '#execution.failed', actions: 'recordFailure' },
            ],
          },
        },
        running: {
          on: {
            TaskUpdated: [
              { guard: 'currentFinished', target: '#execution.post', actions: 'recordEnd' },
              { guard: 'currentFailed', target: '#execution.failed', actions: 'recordFailure' },
              { guard: 'currentRunning', actions: 'recordUpdate' },
            ],
          },
        },
      },
    },
    post: {
      initial: 'waiting',
      states: {
        waiting: { on: { NextTaskStarted: { target: 'ready', actions: 'startTask' } } },
        ready: { on: { TaskLaunched: { guard: 'launchesCurrent', target: 'staging', actions: 'launchTask' } } },
        staging: {
          on: {
            TaskUpdated: [
              { guard: 'currentRunning', target: 'running', actions: 'recordStart' },
              { guard: 'currentFinished', target: '#execution.completed', actions: 'recordEnd' },
              { guard: 'currentFailed', target: '#execution.failed', actions: 'recordFailure' },
            ],
          },
        },
        running: {
          on: {
            TaskUpdated: [
              { guard: 'currentFinished', target: '#execution.completed', actions: 'recordEnd' },
              { guard: 'currentFailed', target: '#execution.failed', actions: 'recordFailure' },
              { guard: 'currentRunning', actions: 'recordUpdate' },
            ],
          },
        },
      },
    },
    completed: { type: 'final', entry: 'complete' },
    failed: { type: 'final' },
  },
})

type MachineSnapshot = SnapshotFrom<typeof executionMachine>

/** The outbox and counters both XState designs keep beside their machines. */
interface Books {
  outbox: Execution.EndRecord[]
  /** Running executions by `node|jobType`. */
  readonly runningCounts: Map<string, number>
  /** Finished executions by `node|kind|jobType`. */
  readonly finishedCounts: Map<string, number>
}

const newBooks = (): Books => ({ outbox: [], runningCounts: new Map(), finishedCounts: new Map() })

const bump = (counts: Map<string, number>, key: string, delta: number): void => {
  const n = (counts.get(key) ?? 0) + delta
  if (n > 0) counts.set(key, n)
  else counts.delete(key)
}

const countRunning = (books: Books, spec: Execution.ExecutionSpec): void => {
  bump(books.runningCounts, `${spec.nodeId}|${spec.jobTypeId}`, 1)
}

const finish = (books: Books, context: MachineContext): void => {
  const { spec } = context
  books.outbox.push({
    id: spec.id,
    clusterId: spec.clusterId,
    jobId: spec.jobId,
    exeNum: spec.exeNum,
    jobTypeId: spec.jobTypeId,
    nodeId: spec.nodeId,
    status: context.status,
    error: context.error,
    queued: spec.queued,
    started: spec.started,
    finished: context.finished,
    taskResults: plainTaskResults(context.tasks),
  })
  bump(books.runningCounts, `${spec.nodeId}|${spec.jobTypeId}`, -1)
  const kind = context.status === 'COMPLETED' ? 'completed' : context.error?.category
  if (kind !== undefined) bump(books.finishedCounts, `${spec.nodeId}|${kind}|${spec.jobTypeId}`, 1)
}

const runningOnNode = (books: Books, nodeId: number): number => {
  let total = 0
  for (const [key, n] of books.runningCounts) if (key.startsWith(`${nodeId}|`)) total += n
  return total
}

// The cluster id an event is for, and the machine event it becomes.
const routed = (event: LifecycleEvent, now: number): readonly [string | undefined, MachineEvent] => {
  switch (event.type) {
    case 'NextTaskStarted':
      return [event.clusterId, { type: 'NextTaskStarted', now }]
    case 'TaskLaunched':
      return [plainClusterIdOfTask(event.taskId), { type: 'TaskLaunched', taskId: event.taskId, now }]
    case 'TaskUpdated':
      return [plainClusterIdOfTask(event.update.taskId), { type: 'TaskUpdated', update: event.update, now }]
  }
}

// --- (a) one actor per execution ------------------------------------------------

export interface ActorState extends Books {
  readonly actors: Map<string, Actor<typeof executionMachine>>
}

const actorApply = (state: ActorState, event: LifecycleEvent, now: number): void => {
  const [clusterId, machineEvent] = routed(event, now)
  if (clusterId === undefined) return
  const actor = state.actors.get(clusterId)
  if (actor === undefined) return
  actor.send(machineEvent)
  const snapshot = actor.getSnapshot()
  if (snapshot.status === 'done') {
    state.actors.delete(clusterId)
    finish(state, snapshot.context)
  }
}

const actorSchedule = (state: ActorState, specs: readonly Execution.ExecutionSpec[]): void => {
  for (const spec of specs) {
    if (state.actors.has(spec.clusterId)) continue
    state.actors.set(spec.clusterId, createActor(executionMachine, { input: spec }).start())
    countRunning(state, spec)
  }
}

export const xstateActorEngine: Engine<ActorState> = {
  name: 'XState actors (createActor/send)',
  create: () => ({ ...newBooks(), actors: new Map() }),
  schedule: (state, specs) => {
    actorSchedule(state, specs)
    return state
  },
  step: (state, events: readonly BenchEvent[], now) => {
    for (let i = 0; i < events.length; i++) {
      const event = events[i]
      if (event === undefined) continue
      if (event.type === 'Scheduled') actorSchedule(state, event.executions)
      else actorApply(state, event, now)
    }
    return state
  },
  apply: (state, event, now) => {
    actorApply(state, event, now)
    return state
  },
  drive: (state, rounds, now) => {
    for (let k = 0; k < rounds.length; k++) {
      const round = rounds[k]
      if (round === undefined) continue
      const at = now + k * ROUND_STEP
      for (let i = 0; i < round.length; i++) {
        const event = round[i]
        if (event !== undefined) actorApply(state, event, at)
      }
    }
    return state
  },
  running: (state) => state.actors.size,
  runningByNode: runningOnNode,
  drain: (state) => {
    const records = state.outbox
    state.outbox = []
    return [drainedOf(records), state]
  },
}

// --- (b) pure transition(machine, snapshot, event) -----------------------------

export interface SnapshotState extends Books {
  readonly snapshots: Map<string, MachineSnapshot>
}

const pureApply = (state: SnapshotState, event: LifecycleEvent, now: number): void => {
  const [clusterId, machineEvent] = routed(event, now)
  if (clusterId === undefined) return
  const snapshot = state.snapshots.get(clusterId)
  if (snapshot === undefined) return
  const [next] = transition(executionMachine, snapshot, machineEvent)
  if (next === snapshot) return
  if (next.status === 'done') {
    state.snapshots.delete(clusterId)
    finish(state, next.context)
  } else {
    state.snapshots.set(clusterId, next)
  }
}

const pureSchedule = (state: SnapshotState, specs: readonly Execution.ExecutionSpec[]): void => {
  for (const spec of specs) {
    if (state.snapshots.has(spec.clusterId)) continue
    const [snapshot] = initialTransition(executionMachine, spec)
    state.snapshots.set(spec.clusterId, snapshot)
    countRunning(state, spec)
  }
}

export const xstatePureEngine: Engine<SnapshotState> = {
  name: 'XState pure transition()',
  create: () => ({ ...newBooks(), snapshots: new Map() }),
  schedule: (state, specs) => {
    pureSchedule(state, specs)
    return state
  },
  step: (state, events: readonly BenchEvent[], now) => {
    for (let i = 0; i < events.length; i++) {
      const event = events[i]
      if (event === undefined) continue
      if (event.type === 'Scheduled') pureSchedule(state, event.executions)
      else pureApply(state, event, now)
    }
    return state
  },
  apply: (state, event, now) => {
    pureApply(state, event, now)
    return state
  },
  drive: (state, rounds, now) => {
    for (let k = 0; k < rounds.length; k++) {
      const round = rounds[k]
      if (round === undefined) continue
      const at = now + k * ROUND_STEP
      for (let i = 0; i < round.length; i++) {
        const event = round[i]
        if (event !== undefined) pureApply(state, event, at)
      }
    }
    return state
  },
  running: (state) => state.snapshots.size,
  runningByNode: runningOnNode,
  drain: (state) => {
    const records = state.outbox
    state.outbox = []
    return [drainedOf(records), state]
  },
}
