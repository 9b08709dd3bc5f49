// The demo on a simulated Kubernetes cluster (`--cluster kubernetes`): the
// same workload, but the cluster speaks pods (watch events), which the host
// decodes with TaskUpdate.fromKubernetesPod.
import * as E from 'fp-ts/Either'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { podNameOf } from '../demo/kubernetes'
import { parseArgs, run, type Io } from '../demo/main'
import { DEFAULT_OPTIONS, simulate, type SimulationResult } from '../demo/simulation'
import { run as cli } from '../src/cli'
import { EventLog, TaskUpdate } from '../src/index'

const capture = (): { io: Io; out: () => string; err: () => string } => {
  let out = ''
  let err = ''
  return {
    io: { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false },
    out: () => out,
    err: () => err,
  }
}

const jsonRun = async (argv: readonly string[]): Promise<string> => {
  const c = capture()
  expect(await run([...argv, '--json'], c.io)).toBe(0)
  return c.out()
}

describe('demo --cluster kubernetes: the default workload', () => {
  let result: SimulationResult
  const pods: unknown[] = []
  const updates: TaskUpdate.TaskUpdate[] = []
  let mesos = 0

  beforeAll(() => {
    result = simulate({ ...DEFAULT_OPTIONS, cluster: 'kubernetes' }, (_now, event) => {
      if (EventLog.isMesosUpdate(event)) mesos++
      if (!EventLog.isKubernetesPodUpdate(event)) return
      pods.push(event.update.pod)
      const decoded = TaskUpdate.fromKubernetesPod(event.update.pod)
      if (E.isRight(decoded)) updates.push(decoded.right)
    })
  })

  it('runs every execution to its end, every pod decoded', () => {
    expect(result.complete).toBe(true)
    expect(result.ends.records).toBe(result.executions)
    expect(result.statusJson.reduce((n, node) => n + node.job_executions.running.total, 0)).toBe(0)
    expect(result.rejected).toBe(0)
    expect(mesos).toBe(0)
    expect(updates).toHaveLength(pods.length)
  })

  it('speaks pods through their lives: pending with image pulls, running, succeeded, failed, OOMKilled, evicted, disrupted, deleted', () => {
    const seen = (status: string, reason?: string): boolean =>
      updates.some((u) => u.status === status && (reason === undefined || u.reason === reason))
    expect(seen('STAGING', 'ContainerCreating')).toBe(true)
    expect(seen('STAGING', 'ImagePullBackOff')).toBe(true)
    expect(seen('RUNNING')).toBe(true)
    expect(seen('FINISHED', 'Completed')).toBe(true)
    expect(updates.some((u) => u.status === 'FAILED' && u.reason === 'Error' && (u.exitCode ?? 0) > 0)).toBe(true)
    expect(updates.some((u) => u.status === 'FAILED' && u.reason === 'OOMKilled' && u.exitCode === 137)).toBe(true)
    expect(seen('LOST', 'TerminationByKubelet')).toBe(true)
    expect(seen('LOST', 'DeletionByTaintManager')).toBe(true)
    expect(seen('KILLED')).toBe(true)
    const types = new Set(pods.map((p) => (p as { readonly type?: unknown }).type))
    expect([...types].sort()).toEqual(['ADDED', 'DELETED', 'MODIFIED'])
  })

  it('fails, loses, retries and times out as the Mesos cluster does', () => {
    expect(result.ends.byError['node-lost'] ?? 0).toBeGreaterThan(0)
    expect(result.ends.byError['launch-timeout'] ?? 0).toBeGreaterThan(0)
    expect(result.ends.byError['timeout'] ?? 0).toBeGreaterThan(0)
    expect(result.ends.finishedRetriedTasks.some((id) => id.includes('_lost-1'))).toBe(true)
  })

  it('names pods as DNS labels: no _, at most 63 characters', () => {
    for (const pod of pods.slice(0, 500)) {
      const name = (pod as { object: { metadata: { name: string } } }).object.metadata.name
      expect(name).toMatch(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/)
    }
    expect(podNameOf('scale_job_demo_41x1_main_lost-1')).toBe('scale-job-demo-41x1-main-lost-1')
  })
})

describe('demo --cluster kubernetes: determinism and replay', () => {
  const small = ['--nodes', '4', '--jobs', '200', '--cluster', 'kubernetes']

  it('the same seed gives the same --json, and the same log event for event', async () => {
    const a = await jsonRun([...small, '--seed', '5'])
    expect(await jsonRun([...small, '--seed', '5'])).toBe(a)
    const log = (): string[] => {
      const lines: string[] = []
      simulate({ nodes: 4, jobs: 200, seed: 5, cluster: 'kubernetes' }, (now, e) =>
        lines.push(EventLog.encodeLine(now, e)),
      )
      return lines
    }
    expect(log()).toEqual(log())
  })

  it('replaying its recorded log gives its --json exactly', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'jec-k8s-')), 'pods.log')
    const json = await jsonRun([...small, '--seed', '9', '--record', file])
    expect(readFileSync(file, 'utf8')).toContain('"type":"KubernetesPod"')
    const c = capture()
    expect(await cli(['replay', file, '--json', '--strict'], c.io)).toBe(0)
    expect(c.out()).toBe(json)
  })

  it('runs sharded to the same --json', async () => {
    const single = await jsonRun([...small, '--seed', '3'])
    expect(await jsonRun([...small, '--seed', '3', '--shards', '2'])).toBe(single)
  })
})

describe('demo --cluster: the flag', () => {
  it('defaults to mesos and takes kubernetes', () => {
    expect(parseArgs([])).toMatchObject(E.right({ kind: 'run', options: { cluster: 'mesos' } }))
    expect(parseArgs(['--cluster=kubernetes'])).toMatchObject(E.right({ options: { cluster: 'kubernetes' } }))
    expect(parseArgs(['--cluster', 'mesos'])).toMatchObject(E.right({ options: { cluster: 'mesos' } }))
  })

  it.each([[['--cluster', 'k8s']], [['--cluster']], [['--cluster=']]])('%j exits with 2 and one line', async (argv) => {
    const c = capture()
    expect(await run(argv, c.io)).toBe(2)
    expect(c.out()).toBe('')
    expect(c.err()).toMatch(/^demo: --cluster (must be one of mesos, kubernetes, got 'k8s'|needs a value)/)
    expect(c.err().trimEnd().split('\n')).toHaveLength(1)
  })
})
