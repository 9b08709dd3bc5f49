import { beforeAll, describe, expect, it } from 'vitest'
import * as E from 'fp-ts/Either'
import { readFileSync } from 'node:fs'
import { OPTIONS, parseArgs, run, type Io } from '../demo/main'
import { DEFAULT_OPTIONS, simulate, type LogEvent, type SimulationResult } from '../demo/simulation'
import { EventLog, TaskUpdate } from '../src/index'

interface Captured {
  readonly io: Io
  readonly out: () => string
  readonly err: () => string
}

const capture = (isTTY = false): Captured => {
  let out = ''
  let err = ''
  return {
    io: { stdout: (text) => void (out += text), stderr: (text) => void (err += text), isTTY },
    out: () => out,
    err: () => err,
  }
}

const small = ['--nodes', '4', '--jobs', '200']

// The JSON the CLI prints with --json, parsed.
const jsonRun = async (argv: readonly string[]): Promise<unknown> => {
  const c = capture()
  expect(await run([...argv, '--json'], c.io)).toBe(0)
  return JSON.parse(c.out()) as unknown
}

describe("demo: Scale's registry of system exit codes", () => {
  it('every execution the demo schedules carries the codes Scale registers, with their errors', () => {
    const registries: unknown[] = []
    simulate({ nodes: 1, jobs: 3, seed: 1 }, (_now, event) => {
      if (event.type === 'Scheduled') for (const x of event.executions) registries.push(x.exitCodeErrors)
    })
    expect(registries.length).toBeGreaterThan(0)
    const names = (registry: unknown): unknown =>
      Object.entries(registry as Record<string, { readonly name: string }>).map(([code, e]) => [code, e.name])
    for (const registry of registries) {
      expect(names(registry)).toEqual([
        ['2', 'database'],
        ['3', 'database-operation'],
        ['4', 'filesystem-io'],
        ['5', 'invalid-results-manifest'],
        ['6', 'missing-setting'],
        ['7', 'missing-required-output'],
        ['10', 'missing-mount'],
      ])
    }
  })
})

describe('demo: determinism', () => {
  it('the same seed twice gives identical status JSON and message counts', async () => {
    const a = await jsonRun([...small, '--seed', '7'])
    const b = await jsonRun([...small, '--seed', '7'])
    expect(a).toEqual(b)
    expect(a).toHaveProperty('status')
    expect(a).toHaveProperty('messages.JobExeEnd')
  })

  it('the same seed gives the same simulation, event for event', () => {
    const log = (): string[] => {
      const lines: string[] = []
      simulate({ nodes: 4, jobs: 200, seed: 11 }, (now, event) => lines.push(JSON.stringify({ now, event })))
      return lines
    }
    expect(log()).toEqual(log())
  })

  it('different seeds give different results', async () => {
    expect(await jsonRun([...small, '--seed', '1'])).not.toEqual(await jsonRun([...small, '--seed', '2']))
  })

  it('the summary is the same apart from the timing line', async () => {
    const text = async (): Promise<string> => {
      const c = capture()
      expect(await run([...small, '--seed', '3'], c.io)).toBe(0)
      return c
        .out()
        .split('\n')
        .filter((line) => !line.startsWith('Events processed:'))
        .join('\n')
    }
    const first = await text()
    expect(first).toContain('total')
    expect(await text()).toBe(first)
  })

  it('lists every node, sorted by id, in the JSON output', async () => {
    const out = await jsonRun(['--nodes', '3', '--jobs', '50'])
    expect(out).toMatchObject({ status: [{ id: 1 }, { id: 2 }, { id: 3 }] })
  })
})

describe('demo: the default workload', () => {
  let result: SimulationResult
  const statuses: TaskUpdate.MesosTaskStatus[] = []
  const eventTypes = new Map<string, number>()

  beforeAll(() => {
    result = simulate(DEFAULT_OPTIONS, (_now: number, event: LogEvent) => {
      eventTypes.set(event.type, (eventTypes.get(event.type) ?? 0) + 1)
      if (!EventLog.isMesosUpdate(event)) return
      const status: unknown = event.update.status
      if (TaskUpdate.MesosTaskStatus.is(status)) statuses.push(status)
    })
  })

  const totals = (): Record<'completed' | 'algorithm' | 'data' | 'system' | 'running', number> =>
    result.statusJson.reduce(
      (acc, node) => ({
        running: acc.running + node.job_executions.running.total,
        completed: acc.completed + node.job_executions.completed.total,
        algorithm: acc.algorithm + node.job_executions.failed.algorithm.total,
        data: acc.data + node.job_executions.failed.data.total,
        system: acc.system + node.job_executions.failed.system.total,
      }),
      { running: 0, completed: 0, algorithm: 0, data: 0, system: 0 },
    )

  it('runs every execution to its end', () => {
    expect(result.complete).toBe(true)
    expect(result.nodeIds).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    expect(result.executions).toBeGreaterThanOrEqual(2000)
    expect(result.ends.records).toBe(result.executions)
    expect(totals().running).toBe(0)
    expect(result.rejected).toBe(0)
    expect(result.events).toBe([...eventTypes.values()].reduce((a, b) => a + b, 0))
  })

  it('completes executions and fails some in every category (status JSON totals)', () => {
    const t = totals()
    expect(t.completed).toBeGreaterThan(0)
    expect(t.algorithm).toBeGreaterThan(0)
    expect(t.data).toBeGreaterThan(0)
    expect(t.system).toBeGreaterThan(0)
    // Everything ended inside the 3-hour window, so the status JSON counts every end.
    expect(t.completed).toBe(result.ends.byStatus['COMPLETED'])
    expect(t.algorithm + t.data + t.system).toBe(result.ends.byStatus['FAILED'])
  })

  it('cancels jobs through JobsSynced, and re-queues one with a higher exe number', () => {
    expect(eventTypes.get('JobsSynced')).toBeGreaterThan(0)
    expect(result.ends.byStatus['CANCELED'] ?? 0).toBeGreaterThanOrEqual(2)
    expect(result.executions).toBe(DEFAULT_OPTIONS.jobs + 1)
    expect(statuses.some((s) => /^scale_job_demo_\d+x2_/.test(s.task_id.value))).toBe(true)
  })

  it('loses a node: executions fail with node-lost, and the cluster answers TASK_LOST', () => {
    expect(eventTypes.get('NodeLost')).toBe(1)
    expect(result.ends.byError['node-lost'] ?? 0).toBeGreaterThan(0)
    expect(statuses.some((s) => s.state === 'TASK_LOST' && s.reason === 'REASON_RECONCILIATION')).toBe(true)
  })

  it('retries a lost task, and the _lost-1 task runs to its end', () => {
    expect(statuses.some((s) => s.state === 'TASK_LOST' && s.reason === 'REASON_AGENT_RESTARTED')).toBe(true)
    expect(result.ends.finishedRetriedTasks.some((id) => id.includes('_lost-1'))).toBe(true)
    expect(statuses.some((s) => s.task_id.value.includes('_lost-1') && s.state === 'TASK_FINISHED')).toBe(true)
  })

  it('times out hanging tasks and kills them', () => {
    expect(result.ends.byError['timeout'] ?? 0).toBeGreaterThan(0)
    expect(result.ends.byError['launch-timeout'] ?? 0).toBeGreaterThan(0)
    expect(statuses.some((s) => s.state === 'TASK_KILLED')).toBe(true)
    expect(eventTypes.get('TimeoutsChecked')).toBeGreaterThan(0)
  })

  it('fails a starved execution with resource-starvation', () => {
    expect(result.ends.byError['resource-starvation']).toBe(1)
    expect(eventTypes.get('StarvationChecked')).toBeGreaterThan(0)
  })

  it('sleeps until deadlines instead of polling', () => {
    // One TimeoutsChecked per wake; far fewer than the minutes simulated.
    const minutes = (result.finalNow - result.startNow) / 60_000
    expect(eventTypes.get('TimeoutsChecked') ?? 0).toBeLessThan(minutes)
  })

  it('drains every kind of message', () => {
    for (const type of ['RunningJobs', 'JobExeEnd', 'CompletedJobs', 'FailedJobs']) {
      expect(result.messageCounts[type] ?? 0).toBeGreaterThan(0)
    }
  })
})

describe('demo: command line', () => {
  it.each([
    [['--bogus'], /unknown flag '--bogus'/],
    [['--nodes'], /--nodes needs a value/],
    [['--nodes', 'abc'], /--nodes must be a positive integer, got 'abc'/],
    [['--jobs', '0'], /--jobs must be a positive integer, got '0'/],
    [['--jobs', '-5'], /--jobs must be a positive integer, got '-5'/],
    [['--nodes', '2.5'], /--nodes must be a positive integer/],
    [['--seed', 'x'], /--seed must be an integer/],
    [['--seed', '-1'], /--seed must be an integer/],
    [['--json=yes'], /--json takes no value/],
    [['stray'], /unexpected argument 'stray'/],
  ])('%j exits with 2 and one clear line', async (argv, message) => {
    const c = capture()
    expect(await run(argv, c.io)).toBe(2)
    expect(c.out()).toBe('')
    const err = c.err()
    expect(err).toMatch(message)
    expect(err.trimEnd().split('\n')).toHaveLength(1)
    expect(err).not.toMatch(/\n\s+at /)
  })

  it('parses flags, in both --flag N and --flag=N forms', () => {
    expect(parseArgs(['--nodes=3', '--jobs', '40', '--seed', '0', '--json'])).toEqual(
      E.right({
        kind: 'run',
        options: { nodes: 3, jobs: 40, seed: 0, json: true, record: undefined, shards: undefined, cluster: 'mesos' },
      }),
    )
    expect(parseArgs([])).toEqual(
      E.right({
        kind: 'run',
        options: { ...DEFAULT_OPTIONS, json: false, record: undefined, shards: undefined, cluster: 'mesos' },
      }),
    )
    expect(parseArgs(['--help'])).toEqual(E.right({ kind: 'help' }))
  })

  it('prints help with exit code 0', async () => {
    const c = capture()
    expect(await run(['--help'], c.io)).toBe(0)
    expect(c.out()).toMatch(/--nodes N/)
  })

  it('prints progress lines at 25/50/75/100% without a terminal, and a bar on one', async () => {
    const plain = capture(false)
    expect(await run(['--nodes', '3', '--jobs', '50', '--json'], plain.io)).toBe(0)
    expect(plain.err().match(/^progress: \d+%/gm)).toEqual([
      'progress: 25%',
      'progress: 50%',
      'progress: 75%',
      'progress: 100%',
    ])
    const tty = capture(true)
    expect(await run(['--nodes', '3', '--jobs', '50', '--json'], tty.io)).toBe(0)
    expect(tty.err()).toMatch(/\r\[#+\] 100%/)
    // Progress never reaches stdout: it is exactly one JSON object.
    expect(() => JSON.parse(tty.out()) as unknown).not.toThrow()
  })
})

describe('demo: sharded', () => {
  const workload = ['--nodes', '6', '--jobs', '300', '--seed', '11']

  it('prints the same final status JSON with --shards 1, 2 and 4 as with one manager', async () => {
    const single = await jsonRun(workload)
    for (const k of ['1', '2', '4']) {
      expect(await jsonRun([...workload, '--shards', k])).toEqual(single)
    }
  })

  it('reports the shards in its summary', async () => {
    const c = capture()
    expect(await run([...workload, '--shards', '2'], c.io)).toBe(0)
    expect(c.out()).toMatch(/Shards: 2 managers in worker threads \(\d+ cores here\)/)
  })

  it.each([['0'], ['-2'], ['1.5'], ['many'], ['65']])('--shards %s is refused with a clear message', async (k) => {
    const c = capture()
    expect(await run(['--shards', k], c.io)).toBe(2)
    expect(c.err()).toMatch(/^demo: --shards must be (a positive integer|at most 64)/)
  })
})

describe('demo: the header and progress agree with the summary', () => {
  it('counts jobs and executions alike in the header, the progress and the summary, with grouped numbers', async () => {
    const c = capture()
    expect(await run([], c.io)).toBe(0)
    const out = c.out()
    // The default workload re-queues one job through JobsSynced: 2,000 jobs run 2,001 executions.
    expect(out.split('\n')[0]).toBe(
      'job-execution-core demo: 20 nodes, 2,000 jobs (2,001 executions: 1 job re-queued), seed 42',
    )
    expect(out).toMatch(/^Executions: 2,001 scheduled \(1 re-queued job\), 2,001 ended: /m)
    expect(out).toMatch(/^total +0 +\d{1,3},\d{3} /m)
    expect(c.err().trimEnd().split('\n').at(-1)).toBe(
      'progress: 100% (2,001/2,001 executions finished, 2,000 jobs + 1 re-queued)',
    )
  })

  it('says "1 node" and "1 job" in the singular', async () => {
    const c = capture()
    expect(await run(['--nodes', '1', '--jobs', '1', '--seed', '5'], c.io)).toBe(0)
    expect(c.out().split('\n')[0]).toMatch(/^job-execution-core demo: 1 node, 1 job(, | \()/)
  })

  it('says "1 manager" of one shard', async () => {
    const c = capture()
    expect(await run(['--nodes', '2', '--jobs', '20', '--shards', '1'], c.io)).toBe(0)
    expect(c.out()).toMatch(/^Shards: 1 manager in worker threads \(\d+ cores? here\)/m)
  })
})

describe('demo: the argument parser', () => {
  it.each([
    [['-x'], "unknown flag '-x'"],
    [['--nodes', '--jobs', '5'], '--nodes needs a value'],
    [['--record'], '--record needs a value (a file name)'],
    [['--nodes', '10001'], "--nodes must be at most 10,000, got '10001'"],
    [['--seed', '4294967296'], "--seed must be at most 4,294,967,295, got '4294967296'"],
    [['--constructor'], "unknown flag '--constructor'"],
    [['--', 'stray'], "unexpected argument 'stray'"],
  ])('%j: one line naming the problem, exit 2', async (argv, message) => {
    const c = capture()
    expect(await run(argv, c.io)).toBe(2)
    expect(c.err()).toBe(`demo: ${message} (see --help)\n`)
  })

  it('--help and -h win over any other argument', () => {
    for (const argv of [
      ['--bogus', '--help'],
      ['--nodes', 'x', '-h'],
    ]) {
      expect(parseArgs(argv)).toEqual(E.right({ kind: 'help' }))
    }
  })

  it('prints every option of its table in --help', async () => {
    const c = capture()
    expect(await run(['--help'], c.io)).toBe(0)
    for (const flag of [
      '--nodes N',
      '--jobs N',
      '--seed N',
      '--cluster KIND',
      '--json',
      '--record FILE',
      '--shards K',
    ]) {
      expect(c.out()).toMatch(new RegExp(`^  ${flag} +\\S`, 'm'))
    }
  })

  it("has a row for every option in the README's flag table", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    for (const key of Object.keys(OPTIONS)) {
      const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
      expect(readme).toMatch(new RegExp(`^\\| \`${flag}[ \`]`, 'm'))
    }
  })
})
