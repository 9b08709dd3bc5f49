/**
 * The outbox: the messages queued for the host to send, until it drains them.
 * Each part is an append-only list, so that queueing costs O(1) however long
 * the outbox grows between drains.
 *
 * It holds no invariant across its parts: a snapshot restores whatever was
 * queued, and end records of executions canceled off the queue come without
 * a completed or failed job.
 *
 * @internal
 * @module
 */
import * as Execution from '../execution'
import type { EndRecord } from '../execution'
import type { Instant } from '../ids'
import type { CompletedJob, Drained, FailedJob, HostMessage, Message, Refusal } from '../manager'
import * as L from './list'

/** Every `type` of the manager's own messages. */
export const MESSAGE_TYPES: ReadonlyArray<Message['type']> = [
  'JobExeEnd',
  'CompletedJobs',
  'FailedJobs',
  'ExecutionRefused',
  'MessageRefused',
]

const MESSAGE_TYPE_SET: ReadonlySet<unknown> = new Set(MESSAGE_TYPES)

/**
 * Whether a host message carries one of the manager's message types: drained,
 * it would pass for one of the manager's, so `Scheduled` refuses it.
 */
export const hasCoreMessageType = (message: unknown): boolean => MESSAGE_TYPE_SET.has(typeOfMessage(message))

/**
 * A message's `type` as `isMessage` reads it, or `undefined` when it has none
 * or reading it throws (a host's getter or proxy): total, as the reducers are.
 */
export const typeOfMessage = (message: unknown): unknown => {
  if (typeof message !== 'object' || message === null) return undefined
  try {
    return (message as { readonly type?: unknown }).type
  } catch {
    return undefined
  }
}

/** The queued messages, not yet drained. */
export interface Outbox {
  readonly host: L.List<HostMessage>
  readonly ends: L.List<EndRecord>
  readonly completed: L.List<CompletedJob>
  readonly failed: L.List<FailedJob>
  /** What `Scheduled` refused, in the order it was refused. */
  readonly refused: L.List<Refusal>
}

/** Nothing queued. */
export const empty: Outbox = { host: null, ends: null, completed: null, failed: null, refused: null }

/** Whether nothing is queued. */
export const isEmpty = (outbox: Outbox): boolean =>
  outbox.host === null &&
  outbox.ends === null &&
  outbox.completed === null &&
  outbox.failed === null &&
  outbox.refused === null

/** The outbox with a refusal queued after those already there. */
export const queueRefusal = (outbox: Outbox, refusal: Refusal): Outbox => ({
  ...outbox,
  refused: L.append(outbox.refused, refusal),
})

/** The outbox with the host's messages queued after those already there; the very same outbox for none. */
export const queueHost = (outbox: Outbox, messages: readonly HostMessage[]): Outbox =>
  messages.length === 0 ? outbox : { ...outbox, host: L.appendAll(outbox.host, messages) }

/** The outbox with these end records queued, as they are. */
export const withEnds = (outbox: Outbox, ends: L.List<EndRecord>): Outbox =>
  ends === outbox.ends ? outbox : { ...outbox, ends }

/** The outbox with a finished execution queued: its end record, and the job as completed or failed. */
export const queueFinished = (outbox: Outbox, execution: Execution.Execution): Outbox => {
  const status = Execution.status(execution)
  const error = Execution.error(execution)
  return {
    host: outbox.host,
    ends: L.append(outbox.ends, Execution.endRecord(execution)),
    completed:
      status === 'COMPLETED'
        ? L.append(outbox.completed, { jobId: execution.jobId, exeNum: execution.exeNum })
        : outbox.completed,
    failed:
      status === 'FAILED' && error !== undefined
        ? L.append(outbox.failed, { jobId: execution.jobId, exeNum: execution.exeNum, error })
        : outbox.failed,
    refused: outbox.refused,
  }
}

/**
 * The queued messages as {@link Manager.drain} gives them: the host's, then one
 * `JobExeEnd` with all end records, `CompletedJobs`, `FailedJobs` (empty ones
 * omitted; `when` is `now`), then each refusal.
 */
export const messagesOf = (outbox: Outbox, now: Instant): Drained => {
  const { host, ends, completed, failed, refused } = outbox
  const messages: unknown[] = L.toArray(host)
  if (ends !== null) messages.push({ type: 'JobExeEnd', records: L.toArray(ends) })
  if (completed !== null) messages.push({ type: 'CompletedJobs', jobs: L.toArray(completed), when: now })
  if (failed !== null) messages.push({ type: 'FailedJobs', jobs: L.toArray(failed), when: now })
  if (refused !== null) messages.push(...L.toArray(refused))
  return messages
}

/**
 * The outbox as the lists a snapshot holds. `refused` is there only when
 * something is refused: a snapshot with nothing refused is the same, to the
 * byte and to its integrity, as one taken before refusals existed.
 */
export interface Lists {
  readonly host: readonly HostMessage[]
  readonly ends: readonly EndRecord[]
  readonly completed: readonly CompletedJob[]
  readonly failed: readonly FailedJob[]
  readonly refused?: readonly Refusal[]
}

/** The outbox as lists, oldest first. */
export const toLists = (outbox: Outbox): Lists => ({
  host: L.toArray(outbox.host),
  ends: L.toArray(outbox.ends),
  completed: L.toArray(outbox.completed),
  failed: L.toArray(outbox.failed),
  ...(outbox.refused === null ? {} : { refused: L.toArray(outbox.refused) }),
})

/** The outbox of these lists. */
export const fromLists = (lists: Lists): Outbox => ({
  host: L.fromArray(lists.host),
  ends: L.fromArray(lists.ends),
  completed: L.fromArray(lists.completed),
  failed: L.fromArray(lists.failed),
  refused: L.fromArray(lists.refused ?? []),
})
