// Every threshold is a setting: changing one moves its behaviour by exactly that
// much, and the defaults are Scale's.
import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { Execution, Manager } from '../src/index'
import type { TaskType } from '../src/task'
import { executionSpec } from './fixtures'

const T0 = Date.UTC(2026, 0, 1)
const ID = 'scale_job_fw_1x1'

const managerWith = (settings: Partial<Execution.Settings>, taskTypes: readonly TaskType[]): Manager.Manager => {
  const spec = executionSpec(1, { clusterId: ID, taskTypes })
  return Manager.reduce(Manager.create(T0), { type: 'Scheduled', executions: [Execution.create(spec, settings)] }, T0)
}

const startAndLaunch = (state: Manager.Manager, type: TaskType, at: number): Manager.Manager => {
  const started = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: ID }, at)
  return Manager.reduce(started, { type: 'TaskLaunched', taskId: `${ID}_${type}` }, at)
}

const running = (state: Manager.Manager, type: TaskType, at: number): Manager.Manager =>
  Manager.reduce(
    startAndLaunch(state, type, at),
    { type: 'TaskUpdated', update: { taskId: `${ID}_${type}`, status: 'RUNNING', timestamp: at } },
    at,
  )

const statusAfterTimeoutsChecked = (state: Manager.Manager, at: number): string | undefined => {
  const checked = Manager.reduce(state, { type: 'TimeoutsChecked' }, at)
  const execution = Manager.runningExecution(checked, ID)
  return execution === undefined ? undefined : `${execution.status}:${execution.error?.name ?? ''}`
}

const duration = fc.integer({ min: 0, max: 10 * 3_600_000 })

describe('settings move their behaviour by exactly their value', () => {
  test.prop([duration])('stagingTimeout', (v) => {
    const state = startAndLaunch(managerWith({ stagingTimeout: v }, ['main']), 'main', T0)
    expect(statusAfterTimeoutsChecked(state, T0 + v)).toBe('RUNNING:')
    expect(statusAfterTimeoutsChecked(state, T0 + v + 1)).toBe('FAILED:launch-timeout')
  })

  for (const [key, type, error] of [
    ['pullTimeout', 'pull', 'pull-timeout'],
    ['preTimeout', 'pre', 'pre-timeout'],
    ['postTimeout', 'post', 'post-timeout'],
  ] as const) {
    test.prop([duration])(key, (v) => {
      const state = running(managerWith({ [key]: v }, [type]), type, T0)
      expect(statusAfterTimeoutsChecked(state, T0 + v)).toBe('RUNNING:')
      expect(statusAfterTimeoutsChecked(state, T0 + v + 1)).toBe(`FAILED:${error}`)
    })
  }

  test.prop([duration])('stagingReconcileDelay', (v) => {
    const state = startAndLaunch(
      managerWith({ stagingReconcileDelay: v, stagingTimeout: 100 * 3_600_000 }, ['main']),
      'main',
      T0,
    )
    expect(Manager.tasksToReconcile(state, T0 + v)).toEqual([])
    expect(Manager.tasksToReconcile(state, T0 + v + 1).map((t) => t.id)).toEqual([`${ID}_main`])
  })

  test.prop([duration])('runningReconcileDelay', (v) => {
    const state = running(managerWith({ runningReconcileDelay: v }, ['pre']), 'pre', T0)
    expect(Manager.tasksToReconcile(state, T0 + v)).toEqual([])
    expect(Manager.tasksToReconcile(state, T0 + v + 1).map((t) => t.id)).toEqual([`${ID}_pre`])
  })

  test.prop([duration])('starvationDelay', (v) => {
    const pulled = Manager.reduce(
      running(managerWith({ starvationDelay: v }, ['pull', 'main']), 'pull', T0),
      { type: 'TaskUpdated', update: { taskId: `${ID}_pull`, status: 'FINISHED', timestamp: T0 } },
      T0,
    )
    expect(Manager.reduce(pulled, { type: 'StarvationChecked' }, T0 + v)).toBe(pulled)
    const starved = Manager.reduce(pulled, { type: 'StarvationChecked' }, T0 + v + 1)
    expect(Manager.runningExecution(starved, ID)).toBeUndefined()
    const records = Manager.endRecordsOf(Manager.drain(starved, T0 + v + 1)[0])
    expect(records.map((r) => r.error?.name)).toEqual(['resource-starvation'])
  })

  test.prop([fc.integer({ min: 0, max: 4 })])('maxLostRetries', (max) => {
    let state = managerWith({ maxLostRetries: max }, ['main'])
    for (let lost = 0; lost <= max; lost++) {
      const taskId = lost === 0 ? `${ID}_main` : `${ID}_main_lost-${lost}`
      state = startAndLaunch(state, 'main', T0)
      const live = Manager.runningExecution(state, ID)
      expect(live === undefined ? undefined : Execution.currentTask(live)?.id).toBe(taskId)
      state = Manager.reduce(state, { type: 'TaskUpdated', update: { taskId, status: 'LOST', timestamp: T0 } }, T0)
      if (lost < max) expect(Manager.runningExecution(state, ID)?.status).toBe('RUNNING')
    }
    expect(Manager.runningExecution(state, ID)).toBeUndefined()
    const [messages] = Manager.drain(state, T0)
    expect(Manager.endRecordsOf(messages).map((r) => r.error?.name)).toEqual(['node-lost'])
    expect(Manager.tasksToKill(state)).toEqual([])
  })
})

describe('defaults and decoding', () => {
  it('the defaults are Scale values, and lost-task retries are unbounded', () => {
    expect(Execution.DEFAULT_SETTINGS).toEqual({
      stagingTimeout: 120_000,
      pullTimeout: 1_800_000,
      preTimeout: 3_600_000,
      postTimeout: 3_600_000,
      stagingReconcileDelay: 30_000,
      runningReconcileDelay: 600_000,
      starvationDelay: 600_000,
    })
    expect(Execution.DEFAULT_SETTINGS.maxLostRetries).toBeUndefined()
    expect(
      Execution.create({
        id: 1,
        clusterId: ID,
        jobId: 1,
        exeNum: 1,
        jobTypeId: 1,
        nodeId: 1,
        agentId: 'a',
        queued: 0,
        started: 0,
        jobType: { name: 'j', isSystem: false, isLongRunning: false, timeout: 1 },
      }).settings,
    ).toEqual(Execution.DEFAULT_SETTINGS)
  })

  it('decodeSettings names every bad key and never falls back silently', () => {
    const decoded = Execution.decodeSettings({ pullTimeout: -1, preTimeout: 1.5, postTimeout: '5', stagingTimeut: 3 })
    expect(E.isLeft(decoded)).toBe(true)
    if (E.isLeft(decoded)) {
      expect(decoded.left.problems.map((p) => p.path).sort()).toEqual([
        'postTimeout',
        'preTimeout',
        'pullTimeout',
        'stagingTimeut',
      ])
    }
    expect(Execution.decodeSettings({ starvationDelay: 5, maxLostRetries: 2 })).toEqual(
      E.right({ ...Execution.DEFAULT_SETTINGS, starvationDelay: 5, maxLostRetries: 2 }),
    )
    expect(E.isLeft(Execution.decodeSettings(null))).toBe(true)
    expect(E.isLeft(Execution.decodeSettings([]))).toBe(true)
  })
})

describe('settings', () => {
  it('complete settings are shared as they are; partial ones are completed', () => {
    const complete: Execution.Settings = { ...Execution.DEFAULT_SETTINGS, stagingTimeout: 5 }
    expect(Execution.withDefaults(complete)).toBe(complete)
    const { starvationDelay: _dropped, ...partial } = complete
    expect(Execution.withDefaults(partial)).toEqual({ ...complete, starvationDelay: 600_000 })
    expect(Execution.withDefaults(partial)).not.toBe(partial)
  })
})
