/**
 * A simulated cluster on a virtual clock, driving the real `Manager` exactly as
 * a host scheduler would. The parts, each in its own module:
 *
 * - the **workload** (`workload.ts`): the seeded queue of jobs, each with the
 *   fate it meets in the cluster;
 * - the **cluster** (`cluster.ts`), a toy Mesos: it runs the launched tasks
 *   and answers with Mesos v1 `TaskStatus` JSON (with `cluster: 'kubernetes'`,
 *   pods instead: `kubernetes.ts`);
 * - the **host loop** (`hostLoop.ts`), the part to copy: it schedules waves,
 *   starts next tasks when resources are offered, decodes the updates, sleeps
 *   until `Manager.nextWakeUp` to run the checks, kills and reconciles what
 *   the manager names, and drains the outbox;
 * - the **summary** (`summary.ts`): the tally of what was drained, progress,
 *   the report and the `--json` output.
 *
 * This module is the world they share (`world.ts`: one queue of happenings by
 * virtual time, one seeded randomness) and the scenario around them: when the
 * database changes jobs and when a node is lost. Every event the host sends
 * to the manager also goes to the `sink`, in the event-log form of the spec
 * (section 12), so that a replay of the log reproduces the final state. The
 * same seed gives the same everything.
 */
import { type EventLog, Manager, TaskUpdate } from '../src/index'
import * as Cluster from './cluster'
import type { ClusterKind } from './kubernetes'
import * as HostLoop from './hostLoop'
import { createRandom } from './random'
import * as Summary from './summary'
import * as Workload from './workload'
import { at, createWorld, type Happening } from './world'

export type { MesosState, MesosTaskStatusJson } from './cluster'
export type { OnProgress, Sink } from './hostLoop'
export type { EndSummary } from './summary'
export { TimeQueue } from './world'

/** The size and seed of a simulation. */
export interface SimulationOptions {
  readonly nodes: number
  readonly jobs: number
  readonly seed: number
  /** The cluster manager the simulated cluster speaks as (default `mesos`; `kubernetes`: pods, see kubernetes.ts). */
  readonly cluster?: ClusterKind | undefined
}

/** The built-in default workload. */
export const DEFAULT_OPTIONS: SimulationOptions = { nodes: 20, jobs: 2000, seed: 42 }

/**
 * One event of the event log (spec section 12): a manager event, or a task
 * update as the raw Mesos status it arrived as, so that a replay decodes it again.
 */
export type LogEvent = EventLog.LoggedEvent

/** What a simulation ends with. */
export interface SimulationResult {
  /** The virtual instant of the last event sent to the manager. */
  readonly finalNow: number
  /** The virtual instant the simulation started at. */
  readonly startNow: number
  /** The final manager state. */
  readonly state: Manager.Manager
  /** All node ids, ascending. */
  readonly nodeIds: readonly number[]
  /** `Manager.statusJson` for all node ids at `finalNow`. */
  readonly statusJson: ReturnType<typeof Manager.statusJson>
  /** Drained messages by type (the host's `RunningJobs`, and `JobExeEnd`, `CompletedJobs`, `FailedJobs`, any refusals). */
  readonly messageCounts: Readonly<Record<string, number>>
  /** Events logged (sent to the manager, plus task updates refused by the decoder). */
  readonly events: number
  /** Raw task updates `TaskUpdate.fromMesos` (or `fromKubernetesPod`) refused. */
  readonly rejected: number
  /** Wall-clock milliseconds the simulation took (the only non-deterministic figure). */
  readonly elapsedMs: number
  /** Executions scheduled (jobs plus re-queued ones). */
  readonly executions: number
  /** What the end records say. */
  readonly ends: Summary.EndSummary
  /** False when the simulation stopped at its virtual time limit with work left. */
  readonly complete: boolean
}

/** The simulation gives up after this much virtual time. */
const MAX_VIRTUAL_TIME = 30 * 24 * 60 * Workload.MINUTE

/** When the scenario's outside events happen, after the start. */
const SCENARIO = {
  firstSync: 6 * Workload.MINUTE,
  nodeLost: 20 * Workload.MINUTE,
  nodeDownFor: 10 * Workload.MINUTE,
  secondSync: 25 * Workload.MINUTE,
}

// --- the scenario -----------------------------------------------------------------------

const ordinaryRunning = (parts: HostLoop.HostParts): ReturnType<typeof Manager.runningExecutions> =>
  Manager.runningExecutions(parts.host.state).filter(
    (e) => e.status === 'RUNNING' && !Workload.isSpecial(parts.workload, e),
  )

// The database cancels running jobs (three, then one), and the first time
// re-queues one of them for a second execution.
const sync = (parts: HostLoop.HostParts, round: 1 | 2): void => {
  const { world, workload } = parts
  const chosen = world.random.sample(ordinaryRunning(parts), round === 1 ? 3 : 1)
  if (chosen.length === 0) return
  const jobs: Record<string, Manager.SyncedJob> = {}
  chosen.forEach((execution, i) => {
    const requeue = round === 1 && i === 0
    jobs[String(execution.jobId)] = requeue
      ? { status: 'QUEUED', numExes: execution.exeNum + 1 }
      : { status: 'CANCELED', numExes: execution.exeNum }
    if (requeue) Workload.requeue(workload, execution.jobId, execution.exeNum + 1, execution.jobTypeId, world.now)
  })
  HostLoop.jobsSynced(parts, jobs)
}

// A busy node goes down, one running nothing special if there is one; it comes back later.
const loseNode = (parts: HostLoop.HostParts, cluster: Cluster.Cluster): void => {
  const { world, workload } = parts
  const running = Manager.runningExecutions(parts.host.state)
  const specialNodes = new Set(running.filter((e) => Workload.isSpecial(workload, e)).map((e) => Number(e.nodeId)))
  const busy = new Set(running.map((e) => Number(e.nodeId)))
  const up = cluster.nodes.filter((n) => n.up && busy.has(n.id))
  const candidates = up.filter((n) => !specialNodes.has(n.id))
  const node = world.random.pickFrom(candidates.length > 0 ? candidates : up)
  if (node === undefined) return
  Cluster.loseNode(cluster, node)
  HostLoop.nodeLost(parts, node.id)
  at(world, SCENARIO.nodeDownFor, { kind: 'nodeBack', nodeId: node.id })
}

// --- the simulation ------------------------------------------------------------------

/**
 * Runs the simulation. Pure in its result (the same options give the same
 * result, apart from `elapsedMs`); `sink` gets every event sent to the
 * manager, `onProgress` the number of finished executions as they drain.
 */
export const simulate = (
  options: SimulationOptions,
  sink?: HostLoop.Sink,
  onProgress?: HostLoop.OnProgress,
): SimulationResult => {
  const wallStart = performance.now()
  const start = Workload.START
  const world = createWorld(start, createRandom(options.seed))
  const cluster = Cluster.createCluster(world.random, Math.max(1, Math.floor(options.nodes)), options.cluster)
  const workload = Workload.createWorkload(world.random, Math.max(0, Math.floor(options.jobs)))
  const parts: HostLoop.HostParts = {
    world,
    host: HostLoop.createHost(start),
    journal: HostLoop.createJournal(start, sink),
    tally: Summary.createTally(),
    workload,
    cluster: {
      nodes: cluster.nodes,
      node: (id) => cluster.nodeById.get(id),
      launch: (execution, task) =>
        Cluster.launch(world, cluster, Workload.planOf(workload, execution), execution, task),
      kill: (taskId) => Cluster.requestKill(world, taskId),
      reconcile: (taskId) => Cluster.requestReconcile(world, taskId),
      offer: (execution) => Cluster.offerLater(world, Workload.planOf(workload, execution), execution),
    },
    onProgress,
  }
  const { host, journal } = parts

  // Returns whether the host ran its checks.
  const handle = (happening: Happening): boolean => {
    switch (happening.kind) {
      case 'wave':
        HostLoop.wave(parts)
        return false
      case 'wake':
        return HostLoop.wake(parts)
      case 'offer':
        HostLoop.offered(parts, happening.clusterId)
        return false
      case 'deliver': {
        const update = HostLoop.receive(parts, Cluster.wire(cluster, happening.status))
        if (update !== undefined) {
          const ended = TaskUpdate.isTerminal(update.status) || update.status === 'LOST'
          Cluster.heard(cluster, update.taskId, ended)
        }
        return false
      }
      case 'step':
        Cluster.step(world, cluster, happening.taskId, happening.step)
        return false
      case 'kill':
        Cluster.kill(world, cluster, happening.taskId)
        return false
      case 'reconcile':
        Cluster.reconcile(world, cluster, happening.taskId)
        return false
      case 'nodeLost':
        loseNode(parts, cluster)
        return false
      case 'nodeBack':
        Cluster.nodeBack(cluster, happening.nodeId)
        return false
      case 'sync':
        sync(parts, happening.round)
        return false
    }
  }

  onProgress?.(0, workload.jobs.length)
  world.queue.push(start, { kind: 'wave' })
  world.queue.push(start + SCENARIO.firstSync, { kind: 'sync', round: 1 })
  if (cluster.nodes.length > 1) world.queue.push(start + SCENARIO.nodeLost, { kind: 'nodeLost' })
  world.queue.push(start + SCENARIO.secondSync, { kind: 'sync', round: 2 })

  for (;;) {
    const next = world.queue.pop()
    if (next === undefined || host.finished || next.time > start + MAX_VIRTUAL_TIME) break
    world.now = next.time
    const checked = handle(next.value)
    // The host's one timer: a queue cannot take an entry back, so a timer
    // reset leaves its old entry behind, and `wake` ignores it.
    const when = HostLoop.nextWake(host, world.now, checked)
    if (when === undefined) host.wakeAt = undefined
    else if (when !== host.wakeAt) {
      host.wakeAt = when
      world.queue.push(when, { kind: 'wake' })
    }
  }
  world.now = journal.lastEventAt
  HostLoop.drain(parts)

  const nodeIds = [...journal.nodes].sort((a, b) => a - b)
  return {
    finalNow: journal.lastEventAt,
    startNow: start,
    state: host.state,
    nodeIds,
    statusJson: Manager.statusJson(host.state, nodeIds, journal.lastEventAt),
    messageCounts: Summary.messageCounts(parts.tally),
    events: journal.events,
    rejected: journal.rejected,
    elapsedMs: performance.now() - wallStart,
    executions: host.executions,
    ends: Summary.ends(parts.tally),
    complete: host.finished,
  }
}
