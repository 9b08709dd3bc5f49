// Behaviour this library adds where Scale's would leave an execution stuck.
import { describe, expect, it } from 'vitest'
import { Execution, Manager } from '../src/index'

const spec: Execution.ExecutionSpec = {
  id: 1,
  clusterId: 'scale_job_fw_1x1',
  jobId: 1,
  exeNum: 1,
  jobTypeId: 1,
  nodeId: 1,
  agentId: 'agent-1',
  queued: 0,
  started: 0,
  jobType: { name: 'job', isSystem: false, isLongRunning: false, timeout: 60_000 },
}

describe('a final status drops a current task that was never launched', () => {
  for (const event of [{ type: 'Canceled' }, { type: 'NodeLost' }] as const) {
    it(`${event.type} before the launch finishes the execution`, () => {
      let exe = Execution.reduce(Execution.create(spec), { type: 'NextTaskStarted' }, 5)
      exe = Execution.reduce(exe, event, 10)
      expect(Execution.currentTask(exe)).toBeUndefined()
      expect(Execution.isFinished(exe)).toBe(true)
      expect(Execution.reduce(exe, { type: 'TaskLaunched' }, 11)).toBe(exe)
    })

    it(`${event.type} after the launch keeps the current task until its update`, () => {
      let exe = Execution.reduce(Execution.create(spec), { type: 'NextTaskStarted' }, 5)
      exe = Execution.reduce(exe, { type: 'TaskLaunched' }, 6)
      exe = Execution.reduce(exe, event, 10)
      expect(Execution.currentTask(exe)?.id).toBe('scale_job_fw_1x1_pull')
      expect(Execution.isFinished(exe)).toBe(false)
    })
  }

  it('the manager finishes such an execution at once', () => {
    let state = Manager.reduce(Manager.create(0), { type: 'Scheduled', executions: [spec] }, 0)
    state = Manager.reduce(state, { type: 'NextTaskStarted', clusterId: spec.clusterId }, 1)
    state = Manager.reduce(state, { type: 'JobsSynced', jobs: { 1: { status: 'CANCELED', numExes: 1 } } }, 2)
    expect(Manager.runningExecutions(state)).toEqual([])
    const records = Manager.endRecordsOf(Manager.drain(state, 3)[0])
    expect(records.map((r) => [r.clusterId, r.status, r.finished])).toEqual([['scale_job_fw_1x1', 'CANCELED', 2]])
  })
})
