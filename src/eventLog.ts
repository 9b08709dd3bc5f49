/**
 * Event logs: what a manager saw, as JSON lines, one `{ "now": ms, "event":
 * ManagerEvent }` per line, so that an operator can replay it. A `TaskUpdated`
 * event may carry the raw Mesos `TaskStatus` as `{ "type": "MesosStatus",
 * "status": {...} }` instead of a decoded update; replaying decodes it again
 * with `TaskUpdate.fromMesos`. It may carry a Kubernetes `Pod` (or watch event)
 * as `{ "type": "KubernetesPod", "pod": {...} }`, decoded with
 * `TaskUpdate.fromKubernetesPod`.
 *
 * Decoding a line never throws: a malformed line is a `Left` with the reason.
 *
 * @example
 * import { EventLog, Manager } from 'job-execution-core'
 * const line = EventLog.encodeLine(5_000, { type: 'TimeoutsChecked' })
 * // '{"now":5000,"event":{"type":"TimeoutsChecked"}}'
 * let replay = EventLog.startReplay()
 * replay = EventLog.replayLine(replay, line, 1)
 * Manager.runningExecutions(replay.state) // []
 *
 * @since 0.1.0
 * @module
 */
import * as E from 'fp-ts/Either'
import type { Instant, NodeId } from './ids'
import { compareIds } from './ids'
import { decodeParsedLine, fastParsedLine, parseLine } from './internal/logLine'
import { NodeSet } from './internal/nodeSet'
import * as Manager from './manager'

/**
 * A raw Mesos status in a logged `TaskUpdated` event.
 *
 * @category model
 * @since 0.1.0
 */
export interface MesosStatus {
  readonly type: 'MesosStatus'
  readonly status: unknown
}

/**
 * A raw Kubernetes `Pod` (or a watch event carrying one) in a logged
 * `TaskUpdated` event.
 *
 * @example
 * import { EventLog } from 'job-execution-core'
 * const logged: EventLog.KubernetesPod = { type: 'KubernetesPod', pod: { type: 'DELETED', object: {} } }
 *
 * @category model
 * @since 0.2.0
 */
export interface KubernetesPod {
  readonly type: 'KubernetesPod'
  readonly pod: unknown
}

/**
 * An event as a log stores it: a manager event, or a `TaskUpdated` carrying
 * the raw Mesos status or Kubernetes pod.
 *
 * @category model
 * @since 0.1.0
 */
export type LoggedEvent =
  | Manager.ManagerEvent
  | { readonly type: 'TaskUpdated'; readonly update: MesosStatus }
  | { readonly type: 'TaskUpdated'; readonly update: KubernetesPod }

/**
 * Whether a logged event carries a raw Mesos status (rather than a manager event).
 *
 * @example
 * import { EventLog } from 'job-execution-core'
 * EventLog.isMesosUpdate({ type: 'TaskUpdated', update: { type: 'MesosStatus', status: {} } }) // true
 *
 * @category model
 * @since 0.1.0
 */
export const isMesosUpdate = (
  event: LoggedEvent,
): event is { readonly type: 'TaskUpdated'; readonly update: MesosStatus } =>
  event.type === 'TaskUpdated' && (event.update as { readonly type?: unknown }).type === 'MesosStatus'

/**
 * Whether a logged event carries a raw Kubernetes pod (rather than a manager event).
 *
 * @example
 * import { EventLog } from 'job-execution-core'
 * EventLog.isKubernetesPodUpdate({ type: 'TaskUpdated', update: { type: 'KubernetesPod', pod: {} } }) // true
 *
 * @category model
 * @since 0.2.0
 */
export const isKubernetesPodUpdate = (
  event: LoggedEvent,
): event is { readonly type: 'TaskUpdated'; readonly update: KubernetesPod } =>
  event.type === 'TaskUpdated' && (event.update as { readonly type?: unknown }).type === 'KubernetesPod'

/**
 * One line of a log, decoded: the event ready for `Manager.reduce`, and its instant.
 *
 * @category model
 * @since 0.1.0
 */
export interface LogEntry {
  readonly now: Instant
  readonly event: Manager.ManagerEvent
}

/**
 * One line of an event log, as text (no newline).
 *
 * @example
 * import { EventLog } from 'job-execution-core'
 * EventLog.encodeLine(1, { type: 'NodeLost', nodeId: 3 }) // '{"now":1,"event":{"type":"NodeLost","nodeId":3}}'
 *
 * @category encoding
 * @since 0.1.0
 */
export const encodeLine = (now: Instant, event: LoggedEvent): string => JSON.stringify({ now, event })

/**
 * Decodes one line of a log. Never throws; a malformed line (not JSON, not an
 * object with a numeric `now` and an `event`, an unknown event type, a field of
 * the wrong type, a Mesos status or Kubernetes pod that does not decode) is a
 * `Left` with the reason.
 *
 * @example
 * import { EventLog } from 'job-execution-core'
 * EventLog.decodeLine('{"now":1,"event":{"type":"StarvationChecked"}}') // E.right({ now: 1, event: {...} })
 * EventLog.decodeLine('{"now":1,"event":{"type":"Reboot"}}') // E.left('event.type: unknown event type "Reboot"')
 *
 * @category decoding
 * @since 0.1.0
 */
export const decodeLine = (text: string): E.Either<string, LogEntry> => {
  const parsed = parseLine(text)
  if (E.isLeft(parsed)) return parsed
  // A logged Mesos status, the line a host logs most, skips io-ts when it is
  // well-formed; every other line, and every refusal, is decoded by the codecs.
  const fast = fastParsedLine(parsed.right)
  return fast !== undefined ? E.right(fast) : decodeParsedLine(parsed.right)
}

/**
 * Counts drained messages by type, entry by entry: the end records of
 * `JobExeEnd`, the jobs of `CompletedJobs` and `FailedJobs`, each refusal
 * (`ExecutionRefused`, `MessageRefused`) as one, and host messages (by their
 * own `type` field when they have one, else as `host`). Counting
 * entries rather than messages makes the counts independent of how often the
 * host drains. The record has no prototype, so that any type (`constructor`,
 * `__proto__`) is counted as itself.
 *
 * @example
 * import { EventLog, Manager } from 'job-execution-core'
 * declare const state: Manager.Manager
 * EventLog.countMessages(Manager.drain(state, 0)[0]) // e.g. { JobExeEnd: 3, CompletedJobs: 2, FailedJobs: 1 }
 *
 * @category replay
 * @since 0.1.0
 */
export const countMessages = (
  messages: Manager.Drained,
  into: Readonly<Record<string, number>> = {},
): Record<string, number> => {
  const counts: Record<string, number> = { ...into }
  // Host message types are the host's strings: own properties only, so that a
  // type named `constructor` or `__proto__` is counted like any other.
  const add = (type: string, n: number): void => {
    if (n <= 0) return
    const before = Object.prototype.hasOwnProperty.call(counts, type) ? (counts[type] ?? 0) : 0
    Object.defineProperty(counts, type, { value: before + n, enumerable: true, writable: true, configurable: true })
  }
  for (const message of messages) {
    if (Manager.isMessage(message)) {
      add(
        message.type,
        message.type === 'JobExeEnd'
          ? message.records.length
          : message.type === 'CompletedJobs' || message.type === 'FailedJobs'
            ? message.jobs.length
            : 1,
      )
    } else {
      const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined
      add(typeof type === 'string' ? type : 'host', 1)
    }
  }
  return counts
}

/**
 * The node ids an event names: nodes of scheduled executions, a lost node, and
 * the nodes of history records.
 *
 * @category replay
 * @since 0.1.0
 */
export const nodesOf = (event: Manager.ManagerEvent): NodeId[] => {
  switch (event.type) {
    case 'Scheduled':
      return event.executions.map((x) => x.nodeId)
    case 'NodeLost':
      return [event.nodeId]
    case 'HistoryLoaded':
      return event.records.map((r) => r.nodeId)
    default:
      return []
  }
}

/**
 * How many refused lines a replay keeps with their reasons (it counts them all).
 *
 * @category replay
 * @since 0.2.0
 */
export const MAX_REFUSED_KEPT = 1000

/**
 * A replay in progress: the manager, the messages drained so far counted by
 * type, the nodes seen, the last instant, the lines replayed, and the lines
 * refused: all counted in `refusedCount`, the first {@link MAX_REFUSED_KEPT}
 * kept with their reasons in `refused`. Each line costs the same however many
 * nodes and refused lines came before it (the nodes are a persistent set).
 *
 * @category replay
 * @since 0.1.0
 */
export interface Replay {
  readonly state: Manager.Manager
  readonly messages: Readonly<Record<string, number>>
  readonly nodes: ReadonlySet<NodeId>
  readonly lastNow: Instant | undefined
  readonly replayed: number
  readonly refused: ReadonlyArray<{ readonly line: number; readonly reason: string }>
  /**
   * Every refused line, kept or not.
   *
   * @since 0.2.0
   */
  readonly refusedCount: number
}

/**
 * A replay that has seen nothing yet. Its manager is created at the first line's `now`.
 *
 * @category replay
 * @since 0.1.0
 */
export const startReplay = (): Replay => ({
  state: Manager.create(0),
  messages: {},
  nodes: NodeSet.empty,
  lastNow: undefined,
  replayed: 0,
  refused: [],
  refusedCount: 0,
})

/**
 * Applies one decoded entry: reduces, drains and counts.
 *
 * @category replay
 * @since 0.1.0
 */
export const replayEntry = (replay: Replay, entry: LogEntry): Replay => {
  const base = replay.lastNow === undefined ? Manager.create(entry.now) : replay.state
  const [messages, state] = Manager.drain(Manager.reduce(base, entry.event, entry.now), entry.now)
  const seen = nodesOf(entry.event)
  return {
    state,
    messages: messages.length === 0 ? replay.messages : countMessages(messages, replay.messages),
    nodes: seen.length === 0 ? replay.nodes : NodeSet.addAll(replay.nodes, seen),
    lastNow: entry.now,
    replayed: replay.replayed + 1,
    refused: replay.refused,
    refusedCount: replay.refusedCount,
  }
}

/**
 * Records a refused line (numbered from 1) with its reason; changes nothing else.
 *
 * @category replay
 * @since 0.2.0
 */
export const refuseLine = (replay: Replay, line: number, reason: string): Replay => ({
  ...replay,
  refused: replay.refused.length < MAX_REFUSED_KEPT ? [...replay.refused, { line, reason }] : replay.refused,
  refusedCount: replay.refusedCount + 1,
})

/**
 * Decodes and applies one line (numbered from 1); a malformed line is recorded
 * as refused, with its reason (see {@link refuseLine}), and changes nothing else.
 *
 * @category replay
 * @since 0.1.0
 */
export const replayLine = (replay: Replay, text: string, line: number): Replay => {
  const entry = decodeLine(text)
  return E.isLeft(entry) ? refuseLine(replay, line, entry.left) : replayEntry(replay, entry.right)
}

/**
 * The result of a replay as the `--json` output of the demo and of the replay
 * command: the status JSON of every node seen (sorted by node id) at the last
 * instant, and the drained messages counted by type.
 *
 * @category replay
 * @since 0.1.0
 */
export const summary = (
  replay: Replay,
): { readonly status: ReturnType<typeof Manager.statusJson>; readonly messages: Readonly<Record<string, number>> } => ({
  status: Manager.statusJson(replay.state, [...replay.nodes].sort(compareIds), replay.lastNow ?? 0),
  messages: Object.fromEntries(Object.entries(replay.messages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
})
