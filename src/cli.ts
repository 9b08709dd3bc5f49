#!/usr/bin/env node
/**
 * The package's command: `job-execution-core replay FILE|- [--json] [--strict]`, `--version`, `--help`.
 *
 * It streams an event log (JSON lines, see `EventLog`) through a fresh manager,
 * draining after every line, and prints the drained messages counted by type
 * and a table of the final status of every node seen (with `--json`, one
 * JSON object; `-` reads standard input). A malformed line is reported on
 * standard error with its number and reason and skipped; with `--strict` the
 * first one stops the replay with exit code 1. Memory does not grow with the
 * file: lines are read in chunks, and a line longer than 8 MiB is refused
 * without being held.
 *
 * @internal
 * @module
 */
import { createReadStream, statSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import * as E from 'fp-ts/Either'
import * as EventLog from './eventLog'
import * as Args from './internal/args'
import { formatCount, plural } from './internal/args'
import { statusTable } from './internal/statusTable'
import { packageVersion } from './internal/version'
import * as Metrics from './metrics'

/** The longest line the replay holds in memory. */
export const MAX_LINE_BYTES = 8 * 1024 * 1024

// C0 and C1 controls (ESC, CSI 0x9b, DEL, ...), and the line separators and
// bidirectional overrides that reorder what a terminal shows.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/** The longest reason for a bad line, or message type, that the text output prints. */
export const MAX_PRINTED = 1000

/**
 * Text from a log made safe for a terminal: every control character escaped as
 * `\uXXXX` (so no escape sequence reaches the terminal), cut at `max`
 * characters (a reason can quote a line of megabytes).
 */
export const printable = (text: string, max: number = MAX_PRINTED): string => {
  const cut = text.length > max ? `${text.slice(0, max)}...` : text
  return cut.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** Where the command writes. */
export interface Io {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly isTTY: boolean
  /** What `replay -` reads (the process's standard input). */
  readonly stdin?: AsyncIterable<Uint8Array | string> | undefined
}

/** The options of `replay`, one line each (the flag is the key in kebab case). */
const OPTIONS = {
  json: Args.flag('print one JSON object: { "status": [...], "messages": { type: count } }'),
  strict: Args.flag('stop at the first malformed line with exit code 1'),
  version: Args.flag('print the version of job-execution-core', { alone: true }),
  help: Args.flag('show this help', { short: 'h', alone: true }),
} as const

const USAGE = `usage: job-execution-core replay FILE [--json] [--strict]
       job-execution-core --version

  replay FILE   replay an event log (JSON lines of { "now": ms, "event": ManagerEvent });
                FILE - reads standard input
${Args.usage(OPTIONS, 'replay FILE'.length + 2)}
`

interface ReplayCommand {
  readonly file: string
  readonly json: boolean
  readonly strict: boolean
}

/** Parses the command line (without `node` and the script). */
export const parseArgs = (argv: readonly string[]): E.Either<string, ReplayCommand | 'help' | 'version'> => {
  const parsed = Args.parse(OPTIONS, argv, 2)
  if (E.isLeft(parsed)) return parsed
  const { values, positionals } = parsed.right
  if (values.help === true) return E.right('help')
  if (values.version === true) return E.right('version')
  const [command, file] = positionals
  if (command !== 'replay') {
    return E.left(command === undefined ? 'missing command: replay' : `unknown command: ${command}`)
  }
  return file === undefined
    ? E.left('missing FILE to replay')
    : E.right({ file, json: values.json === true, strict: values.strict === true })
}

const progressBar = (done: number, total: number): string => {
  const ratio = total === 0 ? 1 : Math.min(1, done / total)
  const width = 30
  const filled = Math.round(ratio * width)
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0)}%`
}

/** Splits a byte stream into lines without ever holding more than one line. */
async function* linesOf(
  source: AsyncIterable<Uint8Array | string>,
  onBytes: (n: number) => void,
): AsyncGenerator<{ readonly text: string | undefined; readonly truncated: boolean }> {
  let pending: Buffer[] = []
  let pendingBytes = 0
  let tooLong = false
  for await (const chunk of source) {
    const buffer =
      typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    onBytes(buffer.length)
    let start = 0
    for (let i = buffer.indexOf(10); i !== -1; i = buffer.indexOf(10, start)) {
      const piece = buffer.subarray(start, i)
      start = i + 1
      if (tooLong || pendingBytes + piece.length > MAX_LINE_BYTES) {
        yield { text: undefined, truncated: false }
      } else {
        yield { text: Buffer.concat([...pending, piece]).toString('utf8'), truncated: false }
      }
      pending = []
      pendingBytes = 0
      tooLong = false
    }
    const rest = buffer.subarray(start)
    if (rest.length > 0) {
      if (tooLong || pendingBytes + rest.length > MAX_LINE_BYTES) {
        tooLong = true
        pending = []
        pendingBytes = 0
      } else {
        pending.push(Buffer.from(rest))
        pendingBytes += rest.length
      }
    }
  }
  if (tooLong) yield { text: undefined, truncated: true }
  else if (pendingBytes > 0) yield { text: Buffer.concat(pending).toString('utf8'), truncated: true }
}

const fileProblem = (path: string): string | undefined => {
  try {
    const stat = statSync(path)
    return stat.isDirectory() ? `${path} is a directory, not an event log` : undefined
  } catch {
    return `cannot read ${path}: no such file`
  }
}

/** Replays a log; returns the exit code. */
export const replayFile = async (command: ReplayCommand, io: Io): Promise<number> => {
  const fromStdin = command.file === '-'
  const stdin = fromStdin ? io.stdin : undefined
  const problem = fromStdin
    ? stdin === undefined
      ? 'no standard input to replay'
      : undefined
    : fileProblem(command.file)
  if (problem !== undefined) {
    io.stderr(`job-execution-core: ${problem}\n`)
    return 1
  }
  const source = stdin ?? createReadStream(command.file)
  const name = fromStdin ? 'standard input' : command.file
  // Standard input has no size to show progress against.
  const total = fromStdin ? 0 : statSync(command.file).size
  const showProgress = io.isTTY && !fromStdin
  let read = 0
  let lastDrawn = -1
  const draw = (n: number): void => {
    read += n
    if (!showProgress) return
    const percent = Math.floor((read / Math.max(1, total)) * 100)
    if (percent !== lastDrawn) {
      lastDrawn = percent
      io.stderr(progressBar(read, total))
    }
  }
  let replay = EventLog.startReplay()
  let line = 0
  let refused = 0
  try {
    for await (const { text, truncated } of linesOf(source, draw)) {
      line++
      if (text !== undefined && text.trim() === '') continue
      const entry = text === undefined ? E.left(`longer than ${MAX_LINE_BYTES} bytes`) : EventLog.decodeLine(text)
      if (E.isLeft(entry)) {
        refused++
        const reason = truncated ? `truncated last line (${entry.left})` : entry.left
        io.stderr(`${showProgress ? '\n' : ''}line ${line}: ${printable(reason)}\n`)
        if (command.strict) return 1
        continue
      }
      replay = EventLog.replayEntry(replay, entry.right)
    }
  } catch (error) {
    io.stderr(`job-execution-core: cannot read ${name}: ${error instanceof Error ? error.message : 'error'}\n`)
    return 1
  }
  if (showProgress) io.stderr('\n')
  const result = EventLog.summary(replay)
  if (command.json) {
    io.stdout(`${JSON.stringify(result)}\n`)
    return 0
  }
  io.stdout(
    `replayed ${plural(replay.replayed, 'event')} from ${plural(line, 'line')} (${formatCount(refused)} refused)\n`,
  )
  io.stdout('messages drained:\n')
  if (Object.keys(result.messages).length === 0) io.stdout('  none\n')
  for (const [type, count] of Object.entries(result.messages)) {
    io.stdout(`  ${printable(type)}: ${formatCount(count)}\n`)
  }
  if (result.status.length === 0) {
    io.stdout('status: the log names no node\n')
    return 0
  }
  const window = plural(Metrics.WINDOW_LENGTH / 3_600_000, 'hour')
  io.stdout(
    `\nstatus of ${plural(result.status.length, 'node')} at the end (finished counts cover the last ${window}):\n\n`,
  )
  io.stdout(`${statusTable(result.status, (id) => printable(id)).join('\n')}\n`)
  return 0
}

/** Runs the command line; returns the exit code. */
export const run = async (argv: readonly string[], io: Io): Promise<number> => {
  const parsed = parseArgs(argv)
  if (E.isLeft(parsed)) {
    io.stderr(`job-execution-core: ${parsed.left}\n${USAGE}`)
    return 2
  }
  if (parsed.right === 'help') {
    io.stdout(USAGE)
    return 0
  }
  if (parsed.right === 'version') {
    const version = packageVersion()
    if (E.isLeft(version)) {
      io.stderr(`job-execution-core: cannot tell its version: ${version.left}\n`)
      return 1
    }
    io.stdout(`${version.right}\n`)
    return 0
  }
  return replayFile(parsed.right, io)
}

// Stryker disable all: the process wiring runs only as the installed command,
// which `npm run check:package` runs; the tests call `run` with their own Io.
const invokedDirectly = (): boolean => {
  const script = process.argv[1]
  if (script === undefined) return false
  try {
    return import.meta.url === pathToFileURL(script).href || /job-execution-core$/.test(script)
  } catch {
    return false
  }
}

if (invokedDirectly()) {
  void run(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stderr.isTTY,
    // Only `replay -` touches the process's standard input.
    get stdin() {
      return process.stdin
    },
  }).then((code) => {
    process.exitCode = code
  })
}
// Stryker restore all
