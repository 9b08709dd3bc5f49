/**
 * The demo's host scheduler: the part to copy. It is the loop of
 * `docs/host-loop.md` at full size, driven by the demo's happenings instead of
 * a `for` loop: the simulation (`simulation.ts`) calls the handler of each
 * happening at its virtual `now`, then sets the host's one timer to
 * {@link nextWake}.
 *
 * | `docs/host-loop.md`                        | here                                   |
 * | ------------------------------------------ | -------------------------------------- |
 * | `Host` (`state`, `killed`, `asked`)        | {@link Host}                           |
 * | status updates in (`taskUpdatedFromMesos`) | {@link receive}                        |
 * | the checks, then kills and reconciliations | {@link wake}, `act`                    |
 * | new work, ready executions started         | {@link wave}, {@link offered}          |
 * | effects out (`drain`)                      | {@link drain}                          |
 * | `nextWake` (`Manager.nextWakeUp`)          | {@link nextWake}                       |
 *
 * What differs from the guide: resources are scarce (a wave fills free slots,
 * and the cluster offers resources for each next task a little later), the
 * database changes jobs ({@link jobsSynced}), a node can be lost
 * ({@link nodeLost}), nothing is persisted, and every event fed to the
 * manager also goes to a {@link Journal} (the event log of `--record`).
 */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import { EventLog, Execution, Ids, Manager, type TaskUpdate, type Task } from '../src/index'
import type { Node, RawUpdate } from './cluster'
import * as Summary from './summary'
import { EXIT_CODE_ERRORS, SECOND, dequeue, remaining, type Workload } from './workload'
import { at, type World } from './world'

/** The framework id of the host's cluster ids. */
export const FRAMEWORK_ID = 'demo'
/** How often the host schedules a wave (and drains the outbox). */
export const WAVE_INTERVAL = 20 * SECOND
/** How long the host waits before looking again at a reconciliation it has asked for (`nextWakeUp`'s retry). */
export const RETRY = 5 * SECOND

/** Receives every event sent to the manager, with its virtual `now`, in the event-log form (contract §12). */
export type Sink = (now: number, event: EventLog.LoggedEvent) => void

/** Called as executions finish: how many have, out of how many there are so far. */
export type OnProgress = (done: number, total: number) => void

/** What the host asks of the cluster: the simulated one here, a Mesos or Kubernetes client in a real host. */
export interface ClusterClient {
  /** The agents, with the task slots the host has taken on each. */
  readonly nodes: readonly Node[]
  readonly node: (id: number) => Node | undefined
  /** Runs a task the manager started (its execution is the one it belongs to). */
  readonly launch: (execution: Execution.Execution, task: Task.Task) => void
  readonly kill: (taskId: string) => void
  readonly reconcile: (taskId: string) => void
  /** Asks for resources for the next task of an execution; {@link offered} is called when they come. */
  readonly offer: (execution: Execution.Execution) => void
}

/** The host's own state: the manager's, and the bookkeeping of what it has asked for. */
export interface Host {
  state: Manager.Manager
  /** Tasks the host asked the cluster to kill (once each). */
  readonly killed: Set<string>
  /** Tasks the host asked the cluster about, until their next status update. */
  readonly asked: Set<string>
  /** Executions waiting for resources for their next task. */
  readonly offered: Set<string>
  /** When the host's timer rings, if it is set. */
  wakeAt: number | undefined
  /** When the host last ran the periodic checks. */
  checkedAt: number
  nextExecutionId: number
  /** Executions scheduled so far. */
  executions: number
  /** Set when the queue is empty and nothing runs. */
  finished: boolean
}

/** What the host fed the manager: the event log, and its counts. */
export interface Journal {
  readonly sink: Sink | undefined
  /** Events logged (sent to the manager, plus task updates refused by the decoder). */
  events: number
  /** Raw task updates the decoder refused. */
  rejected: number
  /** The instant of the last event logged. */
  lastEventAt: number
  /** The nodes the events named: what a replay of the log can know of. */
  readonly nodes: Set<number>
}

/** Everything a handler of the host works with. */
export interface HostParts {
  readonly world: World
  readonly host: Host
  readonly journal: Journal
  readonly tally: Summary.Tally
  readonly workload: Workload
  readonly cluster: ClusterClient
  readonly onProgress: OnProgress | undefined
}

/** A host that has not seen anything yet, at `now`. */
export const createHost = (now: number): Host => ({
  state: Manager.create(now),
  killed: new Set(),
  asked: new Set(),
  offered: new Set(),
  wakeAt: undefined,
  checkedAt: -Infinity,
  nextExecutionId: 1,
  executions: 0,
  finished: false,
})

/** An empty journal writing to `sink`, starting at `now`. */
export const createJournal = (now: number, sink: Sink | undefined): Journal => ({
  sink,
  events: 0,
  rejected: 0,
  lastEventAt: now,
  nodes: new Set(),
})

// --- events in ---------------------------------------------------------------------------

const log = ({ world, journal }: HostParts, event: EventLog.LoggedEvent): void => {
  journal.sink?.(world.now, event)
  journal.events++
  journal.lastEventAt = world.now
}

const feed = (parts: HostParts, event: Manager.ManagerEvent): void => {
  log(parts, event)
  for (const node of EventLog.nodesOf(event)) parts.journal.nodes.add(Number(node))
  parts.host.state = Manager.reduce(parts.host.state, event, parts.world.now)
}

/**
 * A status update arrives: it is logged as it came, decoded (never throwing;
 * a refused one is counted and dropped) and fed. An execution whose next task
 * became ready asks for resources. Returns the decoded update.
 */
export const receive = (parts: HostParts, raw: RawUpdate): TaskUpdate.TaskUpdate | undefined => {
  const { host, journal, world } = parts
  log(parts, raw.type === 'MesosStatus' ? { type: 'TaskUpdated', update: raw } : { type: 'TaskUpdated', update: raw })
  const event =
    raw.type === 'MesosStatus'
      ? Manager.taskUpdatedFromMesos(raw.status)
      : Manager.taskUpdatedFromKubernetesPod(raw.pod)
  if (E.isLeft(event)) {
    journal.rejected++
    return undefined
  }
  const update = event.right.update
  host.state = Manager.reduce(host.state, event.right, world.now)
  host.asked.delete(update.taskId)
  const clusterId = Ids.clusterIdOfTask(update.taskId)
  if (clusterId !== undefined) askForResources(parts, clusterId)
  return update
}

const askForResources = ({ host, cluster }: HostParts, clusterId: string): void => {
  const execution = Manager.runningExecution(host.state, clusterId)
  if (execution === undefined || !Execution.isNextTaskReady(execution) || host.offered.has(clusterId)) return
  host.offered.add(clusterId)
  cluster.offer(execution)
}

/** The database changed jobs (cancellations, a re-queue). */
export const jobsSynced = (parts: HostParts, jobs: Readonly<Record<string, Manager.SyncedJob>>): void => {
  feed(parts, { type: 'JobsSynced', jobs })
  act(parts)
}

/** A node was lost with its tasks. */
export const nodeLost = (parts: HostParts, nodeId: number): void => {
  feed(parts, { type: 'NodeLost', nodeId })
  act(parts)
}

// --- the checks, kills and reconciliations ------------------------------------------------

/** The timer rang: the periodic checks, then what they call for. False for a timer since reset. */
export const wake = (parts: HostParts): boolean => {
  if (parts.host.wakeAt !== parts.world.now) return false
  parts.host.wakeAt = undefined
  parts.host.checkedAt = parts.world.now
  feed(parts, { type: 'TimeoutsChecked' })
  feed(parts, { type: 'StarvationChecked' })
  act(parts)
  return true
}

// Kills what the manager wants killed and asks the cluster about what it
// wants reconciled: both are levels, so the host asks once per task.
const act = ({ host, cluster, world }: HostParts): void => {
  for (const task of Manager.tasksToKill(host.state)) {
    if (host.killed.has(task.id)) continue
    host.killed.add(task.id)
    cluster.kill(task.id)
  }
  for (const task of Manager.tasksToReconcile(host.state, world.now)) {
    if (host.asked.has(task.id)) continue
    host.asked.add(task.id)
    cluster.reconcile(task.id)
  }
}

// --- new work -------------------------------------------------------------------------------

// Manager.startNextTask feeds NextTaskStarted and TaskLaunched at once; the
// journal logs both, so that a replay of the log reaches the same state.
const startTask = (parts: HostParts, clusterId: string): void => {
  const [task, next] = Manager.startNextTask(parts.host.state, clusterId, parts.world.now)
  if (task === undefined) return
  log(parts, { type: 'NextTaskStarted', clusterId })
  log(parts, { type: 'TaskLaunched', taskId: task.id })
  parts.host.state = next
  const execution = Manager.runningExecution(next, clusterId)
  if (execution !== undefined) parts.cluster.launch(execution, task)
}

/** Resources came for an execution: its next task starts, if it still may and its node is up. */
export const offered = (parts: HostParts, clusterId: string): void => {
  parts.host.offered.delete(clusterId)
  const execution = Manager.runningExecution(parts.host.state, clusterId)
  if (execution === undefined || !Execution.isNextTaskReady(execution)) return
  if (parts.cluster.node(Number(execution.nodeId))?.up === false) return
  startTask(parts, clusterId)
}

/**
 * Every {@link WAVE_INTERVAL}: drains, then fills the free slots of the nodes
 * that are up with queued jobs, round robin, schedules them in one
 * `Scheduled` and starts their first tasks. Stops when nothing is queued or runs.
 */
export const wave = (parts: HostParts): void => {
  const { host, workload, cluster, world } = parts
  drain(parts)
  if (remaining(workload) === 0 && Manager.runningCount(host.state) === 0) {
    host.finished = true
    return
  }
  const specs: Execution.ExecutionSpec[] = []
  let progress = true
  while (progress && remaining(workload) > 0) {
    progress = false
    for (const node of cluster.nodes) {
      if (!node.up || node.used >= node.slots) continue
      const job = dequeue(workload)
      if (job === undefined) break
      node.used++
      specs.push({
        id: host.nextExecutionId++,
        clusterId: Ids.clusterId(FRAMEWORK_ID, job.jobId, job.exeNum),
        jobId: job.jobId,
        exeNum: job.exeNum,
        jobTypeId: job.jobType.id,
        nodeId: node.id,
        agentId: node.agentId,
        priority: job.priority,
        queued: job.queued,
        started: world.now,
        taskTypes: job.jobType.taskTypes,
        jobType: {
          name: job.jobType.name,
          isSystem: job.jobType.isSystem,
          isLongRunning: false,
          timeout: job.jobType.timeout,
          ...(job.jobType.errorMapping !== undefined ? { errorMapping: job.jobType.errorMapping } : {}),
        },
        exitCodeErrors: EXIT_CODE_ERRORS,
      })
      progress = true
    }
  }
  if (specs.length > 0) {
    host.executions += specs.length
    const running = specs.map((s) => ({ jobId: s.jobId, exeNum: s.exeNum, nodeId: Number(s.nodeId) }))
    feed(parts, {
      type: 'Scheduled',
      executions: specs,
      messages: [{ type: 'RunningJobs', jobs: running, when: world.now }],
    })
    for (const spec of specs) startTask(parts, spec.clusterId)
  }
  at(world, WAVE_INTERVAL, { kind: 'wave' })
}

// --- effects out ----------------------------------------------------------------------------

/** Drains the outbox: counts the messages, and frees the slot of every execution that ended. */
export const drain = (parts: HostParts): void => {
  const { host, cluster, tally, workload, world } = parts
  const [messages, drained] = Manager.drain(host.state, world.now)
  host.state = drained
  if (messages.length === 0) return
  Summary.count(tally, messages)
  for (const record of Manager.endRecordsOf(messages)) {
    const node = cluster.node(Number(record.nodeId))
    if (node !== undefined) node.used = Math.max(0, node.used - 1)
    host.offered.delete(record.clusterId)
  }
  parts.onProgress?.(tally.records, host.executions + remaining(workload))
}

// --- sleeping -------------------------------------------------------------------------------

/**
 * When the host's timer should ring after a step at `now`. After the checks
 * (`checked`) it is `Manager.nextWakeUp`: the next deadline, or a retry of a
 * reconciliation already asked for. After a step without them (an update, a
 * wave) `nextWakeUp` does not apply, as the checks did not run at `now`: a
 * deadline they have not seen is due at once if it has passed, and one they
 * left keeps the retry already set (set again, {@link RETRY} later, once due),
 * so that a stream of updates does not postpone it.
 */
export const nextWake = (host: Host, now: number, checked: boolean): number | undefined => {
  if (checked) return O.toUndefined(Manager.nextWakeUp(host.state, now, RETRY))
  const deadline = O.toUndefined(Manager.nextDeadline(host.state))
  if (deadline === undefined) return undefined
  if (deadline > host.checkedAt) return Math.max(deadline, now)
  return host.wakeAt !== undefined && host.wakeAt > now ? host.wakeAt : now + RETRY
}
