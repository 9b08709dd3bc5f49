/**
 * Edges of the manager (contract §§7, 11-13) that the scenario and property
 * tests reach only by chance: reconciliation beside timeouts, its own messages
 * told from lookalikes, routing of every event kind, JobsSynced keys, the next
 * deadline when time goes back.
 */
import * as O from 'fp-ts/Option'
import { describe, expect, it } from 'vitest'
import { type Execution, Manager, type TaskUpdate } from '../src/index'
import { checkInvariants } from '../src/testing'
import { executionSpec, jobType, T0, withRunning } from './fixtures'

describe('manager edges', () => {
  const spec = (i: number, timeout = 60_000): Execution.ExecutionSpec =>
    executionSpec(i, { agentId: 'a', jobType: jobType(timeout, 'j') })

  const running = (i: number, at: number, timeout?: number): Manager.Manager => withRunning([spec(i, timeout)], at)

  it('a task due for a timeout is not due for reconciliation before its delay', () => {
    // A 1-minute job timeout comes before the 10-minute reconciliation delay.
    const state = running(1, T0, 60_000)
    expect(Manager.nextDeadline(state)).toEqual(O.some(T0 + 60_001))
    expect(Manager.tasksToReconcile(state, T0 + 60_001)).toEqual([])
    expect(Manager.tasksToReconcile(state, T0 + 600_001).map((t) => t.id)).toEqual(['scale_job_fw_1x1_main'])
  })

  it('lists forced and overdue tasks together, by cluster id', () => {
    let state = running(2, T0)
    state = Manager.reduce(state, { type: 'Scheduled', executions: [spec(1, 3_600_000)] }, T0)
    state = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: 'scale_job_fw_1x1' }, T0)
    state = Manager.reduce(state, { type: 'TaskLaunched', taskId: 'scale_job_fw_1x1_main' }, T0)
    state = Manager.reduce(state, { type: 'ExecutionsLost', ids: ['scale_job_fw_2x1'] }, T0 + 1)
    expect(Manager.tasksToReconcile(state, T0 + 30_001).map((t) => t.id)).toEqual([
      'scale_job_fw_1x1_main',
      'scale_job_fw_2x1_main',
    ])
  })

  it('tells its own messages from host messages that look alike', () => {
    expect(Manager.isMessage({ type: 'JobExeEnd' })).toBe(false)
    expect(Manager.isMessage({ type: 'Other', records: [] })).toBe(false)
    expect(Manager.isMessage('JobExeEnd')).toBe(false)
    expect(Manager.isMessage(null)).toBe(false)
    expect(Manager.isMessage({ type: 'FailedJobs', jobs: [], when: 0 })).toBe(true)
    expect(Manager.endRecordsOf([{ type: 'CompletedJobs', jobs: [], when: 0 }, 'x'])).toEqual([])
  })

  it('takes a refusal only with the fields of its type, and tells refusals from the other messages', () => {
    const refused = { type: 'ExecutionRefused', clusterId: 'scale_job_fw_1x1', id: 1, reason: 'unroutable-task-ids' }
    expect(Manager.isMessage(refused)).toBe(true)
    expect(Manager.isRefusal(refused)).toBe(true)
    // An ExecutionRefused needs both its clusterId and its reason as strings.
    expect(Manager.isMessage({ ...refused, clusterId: undefined })).toBe(false)
    expect(Manager.isMessage({ ...refused, reason: 7 })).toBe(false)
    expect(Manager.isMessage({ type: 'ExecutionRefused', reason: 'unroutable-task-ids' })).toBe(false)
    const messageRefused = { type: 'MessageRefused', message: { type: 'JobExeEnd' }, reason: 'core-message-type' }
    expect(Manager.isRefusal(messageRefused)).toBe(true)
    expect(Manager.isMessage({ type: 'MessageRefused', message: 'x' })).toBe(false)
    expect(Manager.isRefusal({ type: 'MessageRefused', message: 'x' })).toBe(false)
    // The manager's other messages are not refusals.
    for (const other of [
      { type: 'JobExeEnd', records: [] },
      { type: 'CompletedJobs', jobs: [], when: 0 },
      { type: 'FailedJobs', jobs: [], when: 0 },
    ]) {
      expect(Manager.isMessage(other)).toBe(true)
      expect(Manager.isRefusal(other)).toBe(false)
    }
  })

  it('tells a function or a record-less lookalike from its own messages', () => {
    const lookalike = Object.assign(() => 0, { type: 'JobExeEnd', records: [] })
    expect(Manager.isMessage(lookalike)).toBe(false)
    expect(Manager.endRecordsOf([{ type: 'JobExeEnd' }, lookalike])).toEqual([])
  })

  it('queues a function carrying a core type as the host message it is: drained, it passes for none of its own', () => {
    const lookalike = Object.assign(() => 0, { type: 'JobExeEnd', records: [] })
    const state = Manager.reduce(
      Manager.create(T0),
      { type: 'Scheduled', executions: [], messages: [lookalike, { type: 'JobExeEnd', records: [] }] },
      T0,
    )
    const [messages] = Manager.drain(state, T0)
    expect(messages).toEqual([
      lookalike,
      { type: 'MessageRefused', message: { type: 'JobExeEnd', records: [] }, reason: 'core-message-type' },
    ])
    expect(messages[0]).toBe(lookalike)
  })

  it('routes each event to the shards that must see it', () => {
    const k = 3
    const id = 'scale_job_fw_7x1'
    const home = Manager.shardOf(id, k)
    const all = [0, 1, 2]
    const shards = (event: Manager.ManagerEvent, n = k): number[] => Manager.route(event, n).map(([shard]) => shard)
    const update: TaskUpdate.TaskUpdate = { taskId: `${id}_main`, status: 'RUNNING', timestamp: T0 }
    expect(shards({ type: 'NextTaskStarted', clusterId: id })).toEqual([home])
    expect(shards({ type: 'TaskLaunched', taskId: `${id}_main` })).toEqual([home])
    expect(shards({ type: 'TaskTimedOut', taskId: `${id}_main` })).toEqual([home])
    expect(shards({ type: 'TaskUpdated', update })).toEqual([home])
    expect(shards({ type: 'TaskUpdated', update: { ...update, taskId: 'cleanup_1' } })).toEqual([0])
    for (const event of [
      { type: 'NodeLost', nodeId: 1 },
      { type: 'JobsSynced', jobs: {} },
      { type: 'TimeoutsChecked' },
      { type: 'StarvationChecked' },
    ] as const) {
      expect(shards(event)).toEqual(all)
      expect(Manager.route(event, k).every(([, routed]) => routed === event)).toBe(true)
    }
    expect(shards({ type: 'CanceledOffQueue', records: [] })).toEqual([0])
    expect(shards({ type: 'HistoryLoaded', records: [] })).toEqual([0])
    const lost = Manager.route({ type: 'ExecutionsLost', ids: [id, 42] }, k)
    expect(lost).toEqual(all.map((shard) => [shard, { type: 'ExecutionsLost', ids: shard === home ? [id, 42] : [42] }]))
    expect(Manager.route({ type: 'ExecutionsLost', ids: [id] }, k)).toEqual([
      [home, { type: 'ExecutionsLost', ids: [id] }],
    ])
    expect(shards({ type: 'StarvationChecked' }, 1)).toEqual([0])
    expect(shards({ type: 'StarvationChecked' }, 0)).toEqual([0])
    expect(Manager.route({ type: 'Unknown' } as unknown as Manager.ManagerEvent, k)).toEqual([])
  })

  it('reads JobsSynced keys as job ids only when they are whole numbers', () => {
    const state = running(12, T0)
    const canceled: Manager.SyncedJob = { status: 'CANCELED', numExes: 1 }
    // Number() would read each of these as 12, but none is how the number 12 is written as a key.
    for (const key of ['12x', 'x12', '1 2', '', ' 12', '12 ', '+12', '12.0', '1.2e1']) {
      expect(Manager.reduce(state, { type: 'JobsSynced', jobs: { [key]: canceled } }, T0 + 1)).toBe(state)
    }
    const bad = { 12: null } as unknown as Record<string, Manager.SyncedJob>
    expect(Manager.reduce(state, { type: 'JobsSynced', jobs: bad }, T0 + 1)).toBe(state)
    const after = Manager.reduce(state, { type: 'JobsSynced', jobs: { 12: canceled } }, T0 + 1)
    expect(Manager.runningExecution(after, 'scale_job_fw_12x1')?.status).toBe('CANCELED')
  })

  it('keeps the next deadline exact when time goes back and a deadline comes before its index key', () => {
    // X staging holds the first deadline, Y the next; E's first task launched
    // late, then the clock went back and its next task launched early: E's
    // deadline now comes before Y's, and after X reports, it is the first.
    const x = spec(10)
    const y = spec(11)
    const e: Execution.ExecutionSpec = { ...spec(12), taskTypes: ['pre', 'main'] }
    const late = T0 + 100_000
    let state = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [x, y, e] }, T0)
    const launch = (id: string, type: string, at: number): void => {
      state = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: id }, at)
      state = Manager.reduce(state, { type: 'TaskLaunched', taskId: `${id}_${type}` }, at)
    }
    launch(x.clusterId, 'main', T0 - 1_000)
    launch(y.clusterId, 'main', T0 + 10)
    launch(e.clusterId, 'pre', late)
    const finished = { taskId: `${e.clusterId}_pre`, status: 'FINISHED', timestamp: late, exitCode: 0 } as const
    state = Manager.reduce(state, { type: 'TaskUpdated', update: finished }, late)
    launch(e.clusterId, 'main', T0)
    expect(Manager.nextDeadline(state)).toEqual(O.some(T0 + 29_001))
    const running = { taskId: `${x.clusterId}_main`, status: 'RUNNING', timestamp: T0 } as const
    state = Manager.reduce(state, { type: 'TaskUpdated', update: running }, T0)
    expect(Manager.nextDeadline(state)).toEqual(O.some(T0 + 30_001))
    expect(checkInvariants(state)).toEqual([])
  })

  it('loading history that falls outside the window changes nothing', () => {
    const state = running(4, T0)
    const old = { nodeId: 1, jobTypeId: 1, status: 'COMPLETED', finished: T0 - 4 * 3_600_000 } as const
    expect(Manager.reduce(state, { type: 'HistoryLoaded', records: [old] }, T0)).toBe(state)
  })

  it('an execution id shared by two executions (a host error) still names the later one after the first ends', () => {
    const first = spec(6)
    const second = { ...spec(7), id: 6 }
    let state = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [first, second] }, T0)
    state = Manager.reduce(state, { type: 'ExecutionsLost', ids: [first.clusterId] }, T0 + 1)
    expect(Manager.runningExecution(state, first.clusterId)).toBeUndefined()
    state = Manager.reduce(state, { type: 'ExecutionsLost', ids: [6] }, T0 + 2)
    expect(Manager.runningExecution(state, second.clusterId)).toBeUndefined()
  })

  it('schedules a spec as a spec even when it carries extra status or tasks fields', () => {
    const withStatus = { ...spec(8), status: 'RUNNING' }
    const withTasks = { ...spec(9), tasks: [] }
    // Both, but tasks that are no list: still a spec (as the event's check took it), never read as an execution.
    const withBoth = { ...spec(10), status: 'RUNNING', tasks: 'main' }
    const state = Manager.reduce(
      Manager.create(T0),
      { type: 'Scheduled', executions: [withStatus, withTasks, withBoth] },
      T0,
    )
    expect(Manager.runningExecution(state, withStatus.clusterId)?.taskTypes).toEqual(['main'])
    expect(Manager.runningExecution(state, withTasks.clusterId)?.taskTypes).toEqual(['main'])
    expect(Manager.runningExecution(state, withBoth.clusterId)?.taskTypes).toEqual(['main'])
  })

  it('routes a schedule without host messages only to the shards of its executions', () => {
    const executions = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => spec(i))
    const homes = [...new Set(executions.map((x) => Manager.shardOf(x.clusterId, 3)))].sort()
    expect(homes.length).toBeGreaterThan(1)
    const routed = Manager.route({ type: 'Scheduled', executions }, 3)
    expect(routed.map(([shard]) => shard)).toEqual(homes)
    expect(routed.flatMap(([, event]) => (event.type === 'Scheduled' ? event.executions : [])).length).toBe(8)
  })

  it('ignores an event of no known type', () => {
    const state = running(3, T0)
    expect(Manager.reduce(state, { type: 'Unknown' } as unknown as Manager.ManagerEvent, T0 + 1)).toBe(state)
  })

  it('routes a schedule to the shards of its executions, with the host messages on shard 0', () => {
    const executions = [spec(1), spec(2), spec(3), spec(4)]
    const routed = Manager.route({ type: 'Scheduled', executions, messages: ['m'] }, 2)
    const shardOf = (i: number): number => Manager.shardOf(`scale_job_fw_${i}x1`, 2)
    for (const [shard, event] of routed) {
      expect(event.type).toBe('Scheduled')
      if (event.type !== 'Scheduled') continue
      expect(event.executions.map((x) => x.id)).toEqual([1, 2, 3, 4].filter((i) => shardOf(i) === shard))
      expect(event.messages).toEqual(shard === 0 ? ['m'] : undefined)
    }
    expect(routed.map(([shard]) => shard)).toEqual(
      [0, 1].filter((s) => s === 0 || [1, 2, 3, 4].some((i) => shardOf(i) === s)),
    )
    expect(Manager.route({ type: 'Scheduled', executions: [] }, 3)).toEqual([])
    expect(Manager.route({ type: 'TimeoutsChecked' }, 2.5).map(([s]) => s)).toEqual([0])
  })
})

describe('what Scheduled refuses, as data', () => {
  const schedule = (
    executions: readonly Execution.ExecutionSpec[],
    messages?: readonly unknown[],
  ): readonly [Manager.Drained, Manager.Manager] =>
    Manager.drain(
      Manager.reduce(
        Manager.create(T0),
        { type: 'Scheduled', executions, ...(messages === undefined ? {} : { messages }) },
        T0,
      ),
      T0,
    )

  it('refuses a cluster id without the job prefix: not running, not counted, an ExecutionRefused drained', () => {
    const [messages, state] = schedule([executionSpec(1, { clusterId: 'job_fw_1x1' }), executionSpec(2)])
    expect(messages).toEqual([
      { type: 'ExecutionRefused', clusterId: 'job_fw_1x1', id: 1, reason: 'cluster-id-without-job-prefix' },
    ])
    expect(Manager.runningExecutions(state).map((x) => x.clusterId)).toEqual(['scale_job_fw_2x1'])
    expect(Manager.metrics(state)).toEqual(Manager.metrics(withRunning([executionSpec(2)], T0)))
    expect(Manager.isMessage(messages[0])).toBe(true)
    expect(Manager.isRefusal(messages[0])).toBe(true)
    expect(checkInvariants(state)).toEqual([])
  })

  it("refuses a framework id holding '_' (its task ids give another cluster id back)", () => {
    const [messages, state] = schedule([executionSpec(1, { clusterId: 'scale_job_my_fw_1x1' })])
    expect(messages).toEqual([
      { type: 'ExecutionRefused', clusterId: 'scale_job_my_fw_1x1', id: 1, reason: 'unroutable-task-ids' },
    ])
    expect(Manager.runningCount(state)).toBe(0)
    expect(Manager.readyExecutions(state)).toEqual([])
    // The execution id is free: the same execution with a sound cluster id is scheduled.
    const fixed = Manager.reduce(state, { type: 'Scheduled', executions: [executionSpec(1)] }, T0)
    expect(Manager.runningCount(fixed)).toBe(1)
  })

  it('refuses a cluster id of fewer than four segments', () => {
    const [messages] = schedule([executionSpec(1, { clusterId: 'scale_job_1x1' })])
    expect(messages).toEqual([
      { type: 'ExecutionRefused', clusterId: 'scale_job_1x1', id: 1, reason: 'unroutable-task-ids' },
    ])
  })

  it("refuses each host message typed as one of the manager's, in order, after the manager's own messages", () => {
    const lookalike = { type: 'CompletedJobs', jobs: [], when: T0 }
    const [messages] = schedule(
      [executionSpec(1, { clusterId: 'nope' })],
      [{ type: 'Mine' }, lookalike, { type: 'MessageRefused' }, 'text'],
    )
    expect(messages).toEqual([
      { type: 'Mine' },
      'text',
      { type: 'ExecutionRefused', clusterId: 'nope', id: 1, reason: 'cluster-id-without-job-prefix' },
      { type: 'MessageRefused', message: lookalike, reason: 'core-message-type' },
      { type: 'MessageRefused', message: { type: 'MessageRefused' }, reason: 'core-message-type' },
    ])
    // Drained, the lookalike no longer passes for a CompletedJobs: isMessage is exact.
    expect(messages.filter((m) => !Manager.isMessage(m))).toEqual([{ type: 'Mine' }, 'text'])
    expect(messages.filter(Manager.isMessage).map((m) => m.type)).toEqual([
      'ExecutionRefused',
      'MessageRefused',
      'MessageRefused',
    ])
  })

  it("a host message whose type getter throws is queued as the host's, and isMessage says no, without throwing", () => {
    const hostile = Object.defineProperty({}, 'type', {
      enumerable: true,
      get: () => {
        throw new Error('no type for you')
      },
    })
    const [messages] = schedule([], [hostile, { type: 'Mine' }])
    expect(messages.length).toBe(2)
    expect(messages[0]).toBe(hostile)
    expect(messages[1]).toEqual({ type: 'Mine' })
    expect(Manager.isMessage(hostile)).toBe(false)
    expect(Manager.isRefusal(hostile)).toBe(false)
  })

  it('drains refusals after JobExeEnd, CompletedJobs and FailedJobs', () => {
    const done = Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [executionSpec(1)] }, T0)
    const canceled = Manager.reduce(done, { type: 'JobsSynced', jobs: { 1: { status: 'CANCELED', numExes: 1 } } }, T0)
    const refused = Manager.reduce(
      canceled,
      { type: 'Scheduled', executions: [executionSpec(2, { clusterId: 'x' })] },
      T0,
    )
    expect(Manager.drain(refused, T0)[0].map((m) => (m as { type: string }).type)).toEqual([
      'JobExeEnd',
      'ExecutionRefused',
    ])
  })

  it('keeps refusals through a snapshot; a snapshot with none has no refused list', () => {
    const state = Manager.reduce(
      Manager.create(T0),
      { type: 'Scheduled', executions: [executionSpec(1, { clusterId: 'x' })], messages: [{ type: 'JobExeEnd' }] },
      T0,
    )
    const snapshot = JSON.parse(JSON.stringify(Manager.toSnapshot(state))) as Manager.Snapshot
    expect(snapshot.outbox.refused).toHaveLength(2)
    const restored = Manager.fromSnapshot(snapshot)
    if (restored._tag === 'Left') throw restored.left
    expect(Manager.drain(restored.right, T0)[0]).toEqual(Manager.drain(state, T0)[0])
    expect('refused' in Manager.toSnapshot(Manager.drain(state, T0)[1]).outbox).toBe(false)
    // An empty list is not what a snapshot holds: refused, as any stray key is.
    const stray = { ...snapshot, outbox: { ...snapshot.outbox, refused: [] } }
    expect(Manager.fromSnapshot(stray)._tag).toBe('Left')
    const wrong = { ...snapshot, outbox: { ...snapshot.outbox, refused: [{ type: 'ExecutionRefused' }] } }
    expect(Manager.fromSnapshot(wrong)._tag).toBe('Left')
  })

  it('across shards, each refusal is drained once, by the shard that made it', () => {
    const bad = executionSpec(1, { clusterId: 'scale_job_my_fw_1x1' })
    const event: Manager.ManagerEvent = {
      type: 'Scheduled',
      executions: [bad, executionSpec(2)],
      messages: [{ type: 'FailedJobs' }],
    }
    const shards = [Manager.create(T0), Manager.create(T0), Manager.create(T0)]
    for (const [shard, routed] of Manager.route(event, 3)) {
      const state = shards[shard]
      if (state !== undefined) shards[shard] = Manager.reduce(state, routed, T0)
    }
    const drained = shards.map((state) => Manager.drain(state, T0)[0].filter(Manager.isRefusal))
    expect(
      drained
        .flat()
        .map((m) => m.type)
        .sort(),
    ).toEqual(['ExecutionRefused', 'MessageRefused'])
    expect(drained[Manager.shardOf(bad.clusterId, 3)]?.some((m) => m.type === 'ExecutionRefused')).toBe(true)
    expect(drained[0]?.some((m) => m.type === 'MessageRefused')).toBe(true)
  })

  it('a malformed execution is still refused silently', () => {
    const state = Manager.create(T0)
    const bad = { ...executionSpec(1, { clusterId: 'x' }), id: 'seven' } as unknown as Execution.ExecutionSpec
    const after = Manager.reduce(state, { type: 'Scheduled', executions: [bad] }, T0)
    expect(Manager.drain(after, T0)[0]).toEqual([])
  })
})
