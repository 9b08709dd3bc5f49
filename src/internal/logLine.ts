/**
 * Decoding a parsed line of an event log: the codec of each event, and the
 * fast path of the line a host logs most, a `TaskUpdated` carrying a raw
 * Mesos status.
 *
 * @internal
 * @module
 */
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import type { KubernetesPod, LogEntry, MesosStatus } from '../eventLog'
import type * as Manager from '../manager'
import * as TaskUpdate from '../taskUpdate'
import { boundary, Integer, problemsOf, render } from './decode'
import { decodesAsItself } from './fastPath'
import { CountedCodec, EndRecordCodec, ExecutionCodec, ExecutionSpecCodec, ListedExecutionCodec } from './stateCodecs'

/** How a logged Mesos status becomes an update: `TaskUpdate.fromMesos`, or its io-ts path alone. */
export type MesosDecoder = (status: unknown) => E.Either<TaskUpdate.InvalidTaskUpdate, TaskUpdate.TaskUpdate>

/**
 * `TaskUpdate.fromMesos` without its fast path: the codec decodes every
 * status. The fast paths must agree with it (the tests compare them on
 * generated input, the benchmark times both).
 */
export const fromMesosByCodec: MesosDecoder = (status) => {
  const decoded = TaskUpdate.MesosTaskStatus.decode(status)
  return E.isLeft(decoded)
    ? E.left(new TaskUpdate.InvalidTaskUpdate(problemsOf(decoded.left)))
    : E.right(TaskUpdate.fromMesosStatus(decoded.right))
}

/**
 * `EventLog.decodeLine` without its fast paths: every line through the
 * codecs, every logged Mesos status through {@link fromMesosByCodec}.
 */
export const decodeLineByCodec = (text: string): E.Either<string, LogEntry> => {
  const parsed = parseLine(text)
  return E.isLeft(parsed) ? parsed : decodeParsedLine(parsed.right, fromMesosByCodec)
}

const IdCodec = t.union([Integer, t.string])

const EVENT_CODECS: Readonly<Record<Manager.ManagerEvent['type'], t.Mixed>> = {
  Scheduled: t.intersection([
    t.type({ executions: t.readonlyArray(t.union([ExecutionCodec, ListedExecutionCodec, ExecutionSpecCodec])) }),
    t.partial({ messages: t.readonlyArray(t.unknown) }),
  ]),
  NextTaskStarted: t.type({ clusterId: t.string }),
  TaskLaunched: t.type({ taskId: t.string }),
  TaskUpdated: t.type({
    update: t.union([
      TaskUpdate.codec,
      t.type({ type: t.literal('MesosStatus'), status: t.unknown }),
      t.type({ type: t.literal('KubernetesPod'), pod: t.unknown }),
    ]),
  }),
  TaskTimedOut: t.type({ taskId: t.string }),
  TimeoutsChecked: t.type({}),
  ExecutionsLost: t.type({ ids: t.readonlyArray(IdCodec) }),
  NodeLost: t.type({ nodeId: IdCodec }),
  CanceledOffQueue: t.type({ records: t.readonlyArray(EndRecordCodec) }),
  JobsSynced: t.type({
    jobs: t.record(
      t.string,
      t.type({
        status: t.keyof(
          { PENDING: null, BLOCKED: null, QUEUED: null, RUNNING: null, FAILED: null, COMPLETED: null, CANCELED: null },
          'JobStatus',
        ),
        numExes: Integer,
      }),
    ),
  }),
  StarvationChecked: t.type({}),
  HistoryLoaded: t.type({ records: t.readonlyArray(CountedCodec) }),
}

const isEventType = (type: unknown): type is Manager.ManagerEvent['type'] =>
  typeof type === 'string' && Object.prototype.hasOwnProperty.call(EVENT_CODECS, type)

const decodeEvent = (raw: unknown, fromMesos: MesosDecoder): E.Either<string, Manager.ManagerEvent> => {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return E.left('event: expected an object')
  const type = (raw as { readonly type?: unknown }).type
  if (!isEventType(type)) return E.left(`event.type: unknown event type ${JSON.stringify(type) ?? 'undefined'}`)
  const decoded = (EVENT_CODECS[type] as t.Type<unknown, unknown, unknown>).decode(raw)
  if (E.isLeft(decoded)) {
    return E.left(
      problemsOf(decoded.left)
        .map((p) => `event.${p.path}: ${p.message}`)
        .join('; '),
    )
  }
  const event = { ...(decoded.right as object), type } as Manager.ManagerEvent
  if (event.type !== 'TaskUpdated') return E.right(event)
  const update: unknown = event.update
  if (typeof update === 'object' && update !== null && (update as { type?: unknown }).type === 'MesosStatus') {
    const converted = fromMesos((update as MesosStatus).status)
    return E.isLeft(converted)
      ? E.left(`event.update.status: ${render(converted.left.problems).replace(/\n/g, '; ')}`)
      : E.right({ type: 'TaskUpdated', update: converted.right })
  }
  if (typeof update === 'object' && update !== null && (update as { type?: unknown }).type === 'KubernetesPod') {
    const converted = TaskUpdate.fromKubernetesPod((update as KubernetesPod).pod)
    return E.isLeft(converted)
      ? E.left(`event.update.pod: ${render(converted.left.problems).replace(/\n/g, '; ')}`)
      : E.right({ type: 'TaskUpdated', update: converted.right })
  }
  return E.right(event)
}

// The boundary: the whole parsed line is checked for `__proto__` keys and
// foreign prototypes once, so the event codecs below read plain data.
const LineCodec = boundary(t.type({ now: Integer, event: t.unknown }), 'LogLine')

/** The JSON of a line, or why it is not JSON. */
export const parseLine = (text: string): E.Either<string, unknown> => {
  try {
    return E.right(JSON.parse(text) as unknown)
  } catch (error) {
    return E.left(`not JSON (${error instanceof Error ? error.message : 'unreadable'})`)
  }
}

/**
 * A parsed line as an entry, or why it is refused: the line's codec, then the
 * event's, then (for a raw status or pod) the update's decoder.
 */
export const decodeParsedLine = (
  parsed: unknown,
  fromMesos: MesosDecoder = TaskUpdate.fromMesos,
): E.Either<string, LogEntry> => {
  const line = LineCodec.decode(parsed)
  if (E.isLeft(line)) {
    return E.left(
      problemsOf(line.left)
        .map((p) => `${p.path}: ${p.message}`)
        .join('; '),
    )
  }
  const event = decodeEvent(line.right.event, fromMesos)
  return E.isLeft(event) ? event : E.right({ now: line.right.now, event: event.right })
}

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

/**
 * The entry {@link decodeParsedLine} gives a parsed line holding a
 * well-formed logged Mesos status, without its io-ts work; `undefined` for any
 * other line. The line's codec and the status' guard (see `fastPath`) accept
 * exactly what decodes as itself, and a `TaskUpdated` whose update has the
 * type `MesosStatus` always passes its event codec (the union's member for
 * it reads `type` and nothing else), the status reaching `fromMesos`
 * unchanged. Only fields are read from the parsed value, so `JSON.parse`
 * output needs no walk for `__proto__` keys.
 */
export const fastParsedLine = (parsed: unknown): LogEntry | undefined => {
  if (!decodesAsItself(LineCodec, parsed, true)) return undefined
  const event = parsed.event
  if (!isRecord(event) || event['type'] !== 'TaskUpdated') return undefined
  const update = event['update']
  if (!isRecord(update) || update['type'] !== 'MesosStatus') return undefined
  const status = update['status']
  if (!decodesAsItself(TaskUpdate.MesosTaskStatus, status, true)) return undefined
  return { now: parsed.now, event: { type: 'TaskUpdated', update: TaskUpdate.fromMesosStatus(status) } }
}
