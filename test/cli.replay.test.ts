// Event logs and the replay command: a recorded demo run replays to the demo's
// own --json output; bad logs are reported line by line and never crash.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import { fc, test } from '@fast-check/vitest'
import * as E from 'fp-ts/Either'
import { beforeAll, describe, expect, it } from 'vitest'
import { jsonOutput, summary } from '../demo/main'
import { simulate } from '../demo/simulation'
import { MAX_LINE_BYTES, printable, run, type Io } from '../src/cli'
import { EventLog, Manager } from '../src/index'
import { packageVersion } from '../src/internal/version'
import { eventStream } from '../src/testing'

interface Captured extends Io {
  readonly out: string[]
  readonly err: string[]
}

const capture = (isTTY = false): Captured => {
  const out: string[] = []
  const err: string[] = []
  return { out, err, isTTY, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) }
}

const dir = mkdtempSync(join(tmpdir(), 'jec-replay-'))
const file = (name: string, text: string): string => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

const GOOD = [
  EventLog.encodeLine(1_000, {
    type: 'Scheduled',
    executions: [
      {
        id: 1,
        clusterId: 'scale_job_fw_1x1',
        jobId: 1,
        exeNum: 1,
        jobTypeId: 2,
        nodeId: 7,
        agentId: 'a',
        queued: 0,
        started: 0,
        taskTypes: ['main'],
        jobType: { name: 'j', isSystem: false, isLongRunning: false, timeout: 60_000 },
      },
    ],
  }),
  EventLog.encodeLine(1_001, { type: 'NextTaskStarted', clusterId: 'scale_job_fw_1x1' }),
  EventLog.encodeLine(1_002, { type: 'TaskLaunched', taskId: 'scale_job_fw_1x1_main' }),
  EventLog.encodeLine(1_003, {
    type: 'TaskUpdated',
    update: {
      type: 'MesosStatus',
      status: { task_id: { value: 'scale_job_fw_1x1_main' }, state: 'TASK_FINISHED', timestamp: 1.003, uuid: 'x' },
    },
  }),
]

describe('replaying a recorded demo run', () => {
  let recorded: string
  let demoJson: string
  let demoSummary: string

  beforeAll(() => {
    const lines: string[] = []
    const options = { nodes: 5, jobs: 300, seed: 7 }
    const result = simulate(options, (now, event) => void lines.push(EventLog.encodeLine(now, event)))
    recorded = file('demo.log', lines.join('\n') + '\n')
    demoJson = jsonOutput(result)
    demoSummary = summary(options, result)
  })

  it("prints the final status per node as the demo's summary table, with grouped numbers", async () => {
    const io = capture()
    expect(await run(['replay', recorded], io)).toBe(0)
    const text = io.out.join('')
    const tableOf = (output: string): string[] => {
      const lines = output.split('\n')
      const header = lines.findIndex((line) => /^ node +running +completed/.test(line))
      const end = lines.findIndex((line) => line.startsWith('total '))
      return lines.slice(header - 1, end + 1)
    }
    expect(tableOf(text)).toHaveLength(5 + 3)
    expect(tableOf(text)).toEqual(tableOf(demoSummary))
    expect(text).toContain('\nstatus of 5 nodes at the end (finished counts cover the last 3 hours):\n')
    expect(text).not.toContain('"job_executions"')
    expect(text).toMatch(/^replayed \d{1,3}(,\d{3})+ events from \d{1,3}(,\d{3})+ lines \(0 refused\)\n/)
  })

  it('reads standard input for -, to the same output as the file', async () => {
    for (const flags of [['--json'], []]) {
      const fromFile = capture()
      expect(await run(['replay', recorded, ...flags], fromFile)).toBe(0)
      // In small chunks, so that lines span chunks.
      const text = readFileSync(recorded)
      const chunks = Array.from({ length: Math.ceil(text.length / 1000) }, (_, i) =>
        text.subarray(i * 1000, i * 1000 + 1000),
      )
      const fromStdin = { ...capture(true), stdin: Readable.from(chunks) }
      expect(await run(['replay', '-', ...flags], fromStdin)).toBe(0)
      expect(fromStdin.out.join('')).toBe(fromFile.out.join(''))
      // No progress bar without a size to measure against.
      expect(fromStdin.err).toEqual([])
    }
  })

  it('gives exactly the demo final status JSON and message counts', async () => {
    const io = capture()
    expect(await run(['replay', recorded, '--json'], io)).toBe(0)
    expect(io.out.join('')).toBe(demoJson)
    expect(io.err).toEqual([])
  })

  it('prints a readable summary without --json', async () => {
    const io = capture()
    expect(await run(['replay', recorded], io)).toBe(0)
    const text = io.out.join('')
    expect(text).toMatch(/^replayed [\d,]+ events from [\d,]+ lines \(0 refused\)/)
    expect(text).toMatch(/JobExeEnd: \d+/)
    expect(text).toMatch(/status of 5 nodes/)
  })

  it('shows progress on a terminal', async () => {
    const io = capture(true)
    expect(await run(['replay', recorded, '--json'], io)).toBe(0)
    expect(io.err.join('')).toMatch(/\[#+\.*\] 100%/)
  })

  it('lists the messages drained, and says none only when there are none', async () => {
    const io = capture()
    expect(await run(['replay', recorded], io)).toBe(0)
    const text = io.out.join('')
    expect(text).toMatch(/messages drained:\n {2}\w+: [\d,]+\n/)
    expect(text).not.toContain('  none\n')
  })

  it('redraws the progress bar only when its percentage changes, however many reads the log takes', async () => {
    // One event, then blank lines (skipped) filling well over a hundred reads of the file.
    const blank = `${' '.repeat(1023)}\n`.repeat(8 * 1024)
    const path = file('long.log', `{"now":1,"event":{"type":"TimeoutsChecked"}}\n${blank}`)
    const io = capture(true)
    expect(await run(['replay', path, '--json'], io)).toBe(0)
    const bars = io.err.filter((text) => text.startsWith('\r['))
    expect(bars.at(-1)).toMatch(/\] 100%$/)
    expect(bars.length).toBeLessThanOrEqual(101)
  })
})

describe('replay: small logs, standard input and the version', () => {
  it('says one event, one line and one node in the singular, and escapes node ids in the table', async () => {
    const path = file('one.log', '{"now":1,"event":{"type":"NodeLost","nodeId":"\\u001b[31mred"}}\n')
    const io = capture()
    expect(await run(['replay', path], io)).toBe(0)
    const text = io.out.join('')
    expect(text).toMatch(/^replayed 1 event from 1 line \(0 refused\)\nmessages drained:\n {2}none\n/)
    expect(text).toContain('status of 1 node at the end')
    expect(text).toMatch(/^\\u001b\[31mred +0 +0 +0 +0 +0$/m)
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/\u001b/)
  })

  it('says so when the log names no node', async () => {
    const io = capture()
    expect(await run(['replay', file('none.log', '{"now":1,"event":{"type":"TimeoutsChecked"}}\n')], io)).toBe(0)
    expect(io.out.at(-1)).toBe('status: the log names no node\n')
  })

  it('reports - without a standard input with exit code 1', async () => {
    const io = capture()
    expect(await run(['replay', '-'], io)).toBe(1)
    expect(io.err.join('')).toBe('job-execution-core: no standard input to replay\n')
  })

  it('reads standard input for - in the real command, and prints the version of package.json', () => {
    const cli = join(import.meta.dirname, '..', 'src', 'cli.ts')
    const tsx = join(import.meta.dirname, '..', 'node_modules', '.bin', 'tsx')
    const input = `${GOOD.join('\n')}\n`
    const out = execFileSync(tsx, [cli, 'replay', '-', '--json'], { input, encoding: 'utf8' })
    expect(JSON.parse(out)).toMatchObject({ messages: { CompletedJobs: 1, JobExeEnd: 1 }, status: [{ id: 7 }] })
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }
    expect(execFileSync(tsx, [cli, '--version'], { encoding: 'utf8' })).toBe(`${pkg.version}\n`)
  })

  it('finds package.json from dist/ and from src/internal/, and only the package its own', () => {
    const root = mkdtempSync(join(tmpdir(), 'jec-version-'))
    mkdirSync(join(root, 'dist'))
    mkdirSync(join(root, 'src', 'internal'), { recursive: true })
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'job-execution-core', version: '9.8.7' }))
    writeFileSync(join(root, 'src', 'package.json'), JSON.stringify({ name: 'someone-else', version: '1.0.0' }))
    expect(packageVersion(pathToFileURL(join(root, 'dist', 'cli.js')).href)).toEqual(E.right('9.8.7'))
    expect(packageVersion(pathToFileURL(join(root, 'src', 'internal', 'version.ts')).href)).toEqual(E.right('9.8.7'))
    expect(E.isLeft(packageVersion(pathToFileURL(join(tmpdir(), 'x.js')).href))).toBe(true)
    expect(E.isLeft(packageVersion('https://example.com/cli.js'))).toBe(true)
  })

  it('--version wins over the other arguments', async () => {
    const io = capture()
    expect(await run(['replay', 'nope.log', '--version'], io)).toBe(0)
    expect(io.out.join('')).toMatch(/^\d+\.\d+\.\d+/)
  })
})

describe('bad logs', () => {
  it('reports a malformed line, an unknown event type and a bad field with their numbers, and replays the rest', async () => {
    const [first, ...rest] = GOOD
    const path = file(
      'bad.log',
      [first, '{not json', '{"now":5,"event":{"type":"Reboot"}}', '{"now":"x","event":{}}', ...rest].join('\n') + '\n',
    )
    const io = capture()
    expect(await run(['replay', path, '--json'], io)).toBe(0)
    const err = io.err.join('')
    expect(err).toMatch(/line 2: not JSON/)
    expect(err).toMatch(/line 3: event\.type: unknown event type "Reboot"/)
    expect(err).toMatch(/line 4: now: /)
    const out = JSON.parse(io.out.join('')) as { messages: Record<string, number>; status: Array<{ id: number }> }
    expect(out.messages).toEqual({ CompletedJobs: 1, JobExeEnd: 1 })
    expect(out.status.map((n) => n.id)).toEqual([7])
  })

  it('escapes control characters of bad lines and message types, and counts a constructor-typed message', async () => {
    const hostile = [
      '\u001b[2J\u001b[31mnot json',
      '{"now":1,"event":{"type":"\\u001b]0;pwned\\u0007\\u009b31m\\u202eevil"}}',
      JSON.stringify({
        now: 2,
        event: {
          type: 'Scheduled',
          executions: [],
          messages: [{ type: '\u001b[31mred\u009b' }, { type: 'constructor' }],
        },
      }),
      '{"now":3,"event":{"type":"TimeoutsChecked"}}',
    ]
    const path = file('escapes.log', hostile.join('\n') + '\n')
    const text = capture()
    expect(await run(['replay', path], text)).toBe(0)
    const printed = text.err.join('') + text.out.join('')
    // eslint-disable-next-line no-control-regex
    expect(printed).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/)
    expect(text.err.join('')).toMatch(/line 1: not JSON .*\\u001b\[2J/)
    expect(text.err.join('')).toMatch(/line 2: .*\\u001b\]0;pwned\\u0007\\u009b31m\\u202eevil/)
    expect(text.out.join('')).toContain('  \\u001b[31mred\\u009b: 1\n')
    expect(text.out.join('')).toContain('  constructor: 1\n')
    const json = capture()
    expect(await run(['replay', path, '--json'], json)).toBe(0)
    const out = JSON.parse(json.out.join('')) as { messages: Record<string, unknown> }
    expect(out.messages).toEqual({ '\u001b[31mred\u009b': 1, constructor: 1 })
  })

  it('stops at the first bad line with --strict', async () => {
    const path = file('strict.log', [GOOD[0], 'garbage', ...GOOD.slice(1)].join('\n'))
    const io = capture()
    expect(await run(['replay', path, '--json', '--strict'], io)).toBe(1)
    expect(io.err.join('')).toMatch(/line 2: not JSON/)
    expect(io.out).toEqual([])
  })

  it('reports a truncated last line', async () => {
    const path = file('truncated.log', GOOD.join('\n') + '\n{"now":9,"event":{"type":"Time')
    const io = capture()
    expect(await run(['replay', path, '--json'], io)).toBe(0)
    expect(io.err.join('')).toMatch(/line 5: truncated last line/)
  })

  it('refuses a line that is too long without holding it', async () => {
    const long = `{"now":1,"event":{"type":"NodeLost","nodeId":"${'x'.repeat(MAX_LINE_BYTES)}"}}`
    const path = file('long.log', [GOOD[0], long, ...GOOD.slice(1)].join('\n') + '\n')
    const io = capture()
    expect(await run(['replay', path, '--json'], io)).toBe(0)
    expect(io.err.join('')).toMatch(/line 2: longer than 8388608 bytes/)
    expect((JSON.parse(io.out.join('')) as { messages: object }).messages).toEqual({ CompletedJobs: 1, JobExeEnd: 1 })
  })

  it('reports every line of a file that is not JSON at all', async () => {
    const path = file('prose.log', 'this is\nnot an event log\n')
    const io = capture()
    expect(await run(['replay', path], io)).toBe(0)
    expect(io.err).toHaveLength(2)
    expect(io.out.join('')).toMatch(/replayed 0 events from 2 lines \(2 refused\)/)
  })

  it('says clearly that a file is missing or a directory', async () => {
    const missing = capture()
    expect(await run(['replay', join(dir, 'nope.log')], missing)).toBe(1)
    expect(missing.err.join('')).toMatch(/cannot read .*nope\.log: no such file/)
    const folder = join(dir, 'folder')
    mkdirSync(folder)
    const io = capture()
    expect(await run(['replay', folder], io)).toBe(1)
    expect(io.err.join('')).toMatch(/is a directory/)
  })

  it('says exactly what is wrong with the arguments', async () => {
    const cases: Array<[string[], string]> = [
      [[], 'missing command: replay'],
      [['play', 'x'], 'unknown command: play'],
      [['replay'], 'missing FILE to replay'],
      [['replay', 'a', 'b'], "unexpected argument 'b'"],
      [['replay', 'a', '--fast'], "unknown flag '--fast'"],
      [['replay', 'a', 'x-'], "unexpected argument 'x-'"],
      [['replay', 'a', '--json=no'], "--json takes no value, got '--json=no'"],
    ]
    for (const [argv, message] of cases) {
      const io = capture()
      expect(await run(argv, io)).toBe(2)
      expect(io.err.join('').split('\n')[0]).toBe(`job-execution-core: ${message}`)
    }
    const short = capture()
    expect(await run(['replay', 'a', '-h'], short)).toBe(0)
    expect(short.out.join('')).toMatch(/^usage: job-execution-core replay FILE/)
  })

  it('skips blank lines without counting them as refused', async () => {
    const path = file('blank.log', [GOOD[0], '', '   ', ...GOOD.slice(1)].join('\n') + '\n')
    const io = capture()
    expect(await run(['replay', path], io)).toBe(0)
    expect(io.err).toEqual([])
    expect(io.out[0]).toBe('replayed 4 events from 6 lines (0 refused)\n')
    expect(io.out[1]).toBe('messages drained:\n')
  })

  it('refuses an over-long last line that has no newline, as too long', async () => {
    const long = `{"now":1,"event":{"type":"NodeLost","nodeId":"${'x'.repeat(MAX_LINE_BYTES)}"}}`
    const path = file('long-last.log', [...GOOD, long].join('\n'))
    const io = capture()
    expect(await run(['replay', path, '--json'], io)).toBe(0)
    expect(io.err.join('')).toBe(`line 5: truncated last line (longer than ${MAX_LINE_BYTES} bytes)\n`)
  })

  it('on a terminal, starts each report on a line of its own and ends the progress bar', async () => {
    const path = file('tty.log', [GOOD[0], 'garbage', ...GOOD.slice(1)].join('\n') + '\n')
    const io = capture(true)
    expect(await run(['replay', path, '--json'], io)).toBe(0)
    const err = io.err.join('')
    expect(err).toContain('\nline 2: not JSON')
    expect(err).toMatch(/\r\[#{30}\] 100%/)
    expect(io.err.at(-1)).toBe('\n')
    expect(io.err.filter((text) => text.startsWith('\r['))).toHaveLength(
      new Set(io.err.filter((t) => t.startsWith('\r['))).size,
    )
  })

  it('gives usage and exit code 2 for bad arguments', async () => {
    for (const argv of [[], ['play', 'x'], ['replay'], ['replay', 'a', 'b'], ['replay', 'a', '--fast']]) {
      const io = capture()
      expect(await run(argv, io)).toBe(2)
      expect(io.err.join('')).toMatch(/^job-execution-core: .+\nusage:/)
    }
    const help = capture()
    expect(await run(['--help'], help)).toBe(0)
    expect(help.out.join('')).toMatch(/usage:/)
  })
})

describe('EventLog lines', () => {
  test.prop([eventStream({ maxLength: 60 })])('encode and decode back to the same events', (stream) => {
    for (const { now, event } of stream.events) {
      const decoded = EventLog.decodeLine(EventLog.encodeLine(now, event))
      expect(E.isRight(decoded)).toBe(true)
      if (E.isRight(decoded)) {
        expect(JSON.stringify(decoded.right)).toBe(JSON.stringify({ now, event }))
      }
    }
  })

  test.prop([eventStream({ maxLength: 60 })])('a replay of a stream ends in the state the stream gives', (stream) => {
    let replay = EventLog.startReplay()
    // A replay creates its manager at the first line's instant.
    let state = Manager.create(stream.events[0]?.now ?? 0)
    stream.events.forEach(({ now, event }, i) => {
      replay = EventLog.replayLine(replay, EventLog.encodeLine(now, event), i + 1)
      state = Manager.drain(Manager.reduce(state, event, now), now)[1]
    })
    expect(replay.refused).toEqual([])
    expect(JSON.stringify(Manager.toSnapshot(replay.state))).toBe(JSON.stringify(Manager.toSnapshot(state)))
  })

  test.prop([fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))])('decoding never throws', (a, b) => {
    expect(() => EventLog.decodeLine(a)).not.toThrow()
    expect(() => EventLog.decodeLine(b)).not.toThrow()
    expect(() => EventLog.decodeLine(JSON.stringify({ now: 1, event: JSON.parse(b) as unknown }))).not.toThrow()
  })
})

describe('replay bookkeeping', () => {
  const nodeLost = (now: number, nodeId: number | string): string =>
    EventLog.encodeLine(now, { type: 'NodeLost', nodeId })

  it('replays 40,000 lines naming 20,000 distinct nodes, and every earlier replay keeps its own nodes', () => {
    let replay = EventLog.startReplay()
    const early: EventLog.Replay[] = []
    for (let i = 0; i < 40_000; i++) {
      replay = EventLog.replayLine(replay, nodeLost(i, i >> 1), i + 1)
      if (i === 99) early.push(replay)
    }
    expect(replay.nodes.size).toBe(20_000)
    expect(replay.nodes.has(19_999) && !replay.nodes.has(20_000)).toBe(true)
    expect([...replay.nodes].sort((a, b) => Number(a) - Number(b)).slice(0, 3)).toEqual([0, 1, 2])
    expect(early[0]?.nodes.size).toBe(50)
    expect(early[0]?.nodes.has(50)).toBe(false)
    expect(EventLog.summary(replay).status).toHaveLength(20_000)
  })

  it('a line naming only known nodes keeps the very same node set', () => {
    const replay = EventLog.replayLine(EventLog.startReplay(), nodeLost(1, 'a'), 1)
    expect(EventLog.replayLine(replay, nodeLost(2, 'a'), 2).nodes).toBe(replay.nodes)
  })

  it("a node set of the caller's own is read into the persistent one, unchanged", () => {
    const own = new Set<number | string>(['x'])
    const replay = EventLog.replayLine({ ...EventLog.startReplay(), nodes: own }, nodeLost(1, 'y'), 1)
    expect([...replay.nodes].sort()).toEqual(['x', 'y'])
    expect([...own]).toEqual(['x'])
  })

  it('counts every refused line but keeps the first MAX_REFUSED_KEPT with their reasons', () => {
    let replay = EventLog.startReplay()
    for (let i = 1; i <= EventLog.MAX_REFUSED_KEPT + 500; i++) replay = EventLog.replayLine(replay, 'nope', i)
    expect(replay.refusedCount).toBe(EventLog.MAX_REFUSED_KEPT + 500)
    expect(replay.refused).toHaveLength(EventLog.MAX_REFUSED_KEPT)
    expect(replay.refused.at(-1)?.line).toBe(EventLog.MAX_REFUSED_KEPT)
    expect(replay.replayed).toBe(0)
  })

  it("host messages typed as the manager's are refused and counted as MessageRefused; constructor or __proto__ are counted as themselves", () => {
    const lookalikes = [
      { type: 'CompletedJobs', jobs: null },
      { type: 'FailedJobs', jobs: [] },
      { type: 'JobExeEnd', records: 'many' },
      { type: 'constructor' },
      { type: '__proto__' },
      { type: 'toString' },
    ]
    for (const message of lookalikes) expect(Manager.isMessage(message)).toBe(false)
    expect(Manager.endRecordsOf(lookalikes)).toEqual([])
    const line = JSON.stringify({ now: 1, event: { type: 'Scheduled', executions: [], messages: lookalikes } })
    const replay = EventLog.replayLine(EventLog.startReplay(), line, 1)
    expect(replay.refused).toEqual([])
    const json = JSON.parse(JSON.stringify(EventLog.summary(replay))) as { messages: Record<string, unknown> }
    expect(Object.entries(json.messages)).toEqual([
      ['MessageRefused', 3],
      ['__proto__', 1],
      ['constructor', 1],
      ['toString', 1],
    ])
  })
})

describe('printable', () => {
  it('keeps text of up to `max` characters whole, and cuts a longer one at `max` with an ellipsis', () => {
    expect(printable('abc', 3)).toBe('abc')
    expect(printable('abcd', 3)).toBe('abc...')
    expect(printable('a\u0007b', 3)).toBe('a\\u0007b')
  })
})
