/**
 * The demo's simulated cluster, a toy Mesos: nodes with task slots, the tasks
 * launched on them, each behaving as its execution's plan says (see
 * `workload.ts`), and the Mesos v1 `TaskStatus` JSON it answers with, a
 * little later, for every change, kill and reconciliation. With
 * `kind: 'kubernetes'` what it says arrives as pods instead (`kubernetes.ts`).
 * A node can be lost: its tasks are gone, and only the master's answers
 * (`TASK_LOST`) are heard of them.
 *
 * It knows nothing of the manager: the host hands it tasks, and decodes what
 * it sends.
 */
import type { Execution, Task } from '../src/index'
import { podCluster, type ClusterKind, type PodWatchEvent } from './kubernetes'
import type { Random } from './random'
import { at, type World } from './world'
import { FINISH, SECOND, jobTypeOf, type Behavior, type DemoJobType, type Plan } from './workload'

/** The Mesos task states the simulated cluster sends. */
export type MesosState =
  'TASK_STAGING' | 'TASK_STARTING' | 'TASK_RUNNING' | 'TASK_FINISHED' | 'TASK_FAILED' | 'TASK_KILLED' | 'TASK_LOST'

/** A Mesos v1 `TaskStatus`, as the simulated cluster sends it (JSON). */
export interface MesosTaskStatusJson {
  readonly task_id: { readonly value: string }
  readonly agent_id?: { readonly value: string }
  readonly state: MesosState
  /** Float seconds since the epoch. */
  readonly timestamp: number
  readonly message?: string
  readonly source?: 'SOURCE_MASTER' | 'SOURCE_AGENT' | 'SOURCE_EXECUTOR'
  readonly reason?: string
  /** Base64 of the container runtime's inspect JSON (docker tasks, on TASK_RUNNING). */
  readonly data?: string
  /** Carried by real statuses, ignored by the library. */
  readonly uuid?: string
}

/** A status update as it reaches the host: Mesos JSON, or a pod watch event. */
export type RawUpdate =
  | { readonly type: 'MesosStatus'; readonly status: MesosTaskStatusJson }
  | { readonly type: 'KubernetesPod'; readonly pod: PodWatchEvent }

/** A node: its task slots (`used` of them taken by the host's executions) and whether it is up. */
export interface Node {
  readonly id: number
  readonly agentId: string
  readonly slots: number
  used: number
  up: boolean
}

type ClusterTaskState = 'staging' | 'starting' | 'running' | 'done' | 'gone'

/** What a status says, apart from the task, agent and time. */
type StatusFields = Omit<MesosTaskStatusJson, 'task_id' | 'agent_id' | 'timestamp'>

interface ClusterTask {
  readonly taskId: string
  readonly nodeId: number
  readonly agentId: string
  readonly docker: boolean
  readonly behavior: Behavior
  readonly duration: number
  state: ClusterTaskState
  /** The terminal status, once produced, for reconciliation answers. */
  terminal?: StatusFields
}

/** The cluster: its nodes, the tasks it knows of, and (on Kubernetes) its pods. */
export interface Cluster {
  readonly nodes: readonly Node[]
  readonly nodeById: ReadonlyMap<number, Node>
  readonly tasks: Map<string, ClusterTask>
  /** With `kubernetes`, what the cluster says arrives as pods on a watch. */
  readonly pods: ((status: MesosTaskStatusJson) => PodWatchEvent) | undefined
}

/** `nodeCount` nodes of 4 to 10 slots each, all up, no task yet. */
export const createCluster = (random: Random, nodeCount: number, kind: ClusterKind | undefined): Cluster => {
  const nodes: Node[] = Array.from({ length: nodeCount }, (_, i) => ({
    id: i + 1,
    agentId: `demo-agent-S${i + 1}`,
    slots: random.int(4, 10),
    used: 0,
    up: true,
  }))
  return {
    nodes,
    nodeById: new Map(nodes.map((n) => [n.id, n])),
    tasks: new Map(),
    pods: kind === 'kubernetes' ? podCluster() : undefined,
  }
}

const inspectData = (containerName: string): string =>
  btoa(
    JSON.stringify([
      { Config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin', `MESOS_CONTAINER_NAME=${containerName}`] } },
    ]),
  )

const status = (world: World, task: ClusterTask, fields: StatusFields): MesosTaskStatusJson => ({
  task_id: { value: task.taskId },
  agent_id: { value: task.agentId },
  timestamp: world.now / 1000,
  ...fields,
  uuid: world.random.hex(16),
})

const emit = (world: World, message: MesosTaskStatusJson): void =>
  at(world, world.random.int(5, 60), { kind: 'deliver', status: message })

/** What reaches the host of a status the cluster sent: itself, or the pod it stands for. */
export const wire = (cluster: Cluster, message: MesosTaskStatusJson): RawUpdate =>
  cluster.pods === undefined
    ? { type: 'MesosStatus', status: message }
    : { type: 'KubernetesPod', pod: cluster.pods(message) }

const taskDuration = (random: Random, type: Task.TaskType, jobType: DemoJobType): number => {
  switch (type) {
    case 'pull':
      return random.int(3 * SECOND, 25 * SECOND)
    case 'pre':
      return random.int(2 * SECOND, 15 * SECOND)
    case 'main':
      return random.int(jobType.mainRun[0], jobType.mainRun[1])
    case 'post':
      return random.int(2 * SECOND, 12 * SECOND)
  }
}

const isLive = (task: ClusterTask): boolean =>
  task.state === 'staging' || task.state === 'starting' || task.state === 'running'

/** Runs a task of an execution on its node; the execution's plan says how it behaves (a retried lost task finishes). */
export const launch = (
  world: World,
  cluster: Cluster,
  plan: Plan,
  execution: Execution.Execution,
  task: Task.Task,
): void => {
  const random = world.random
  const misbehaves = plan.taskType === task.type && !(plan.behavior.kind === 'lose' && task.lostCount > 0)
  const behavior = misbehaves ? plan.behavior : FINISH
  const node = cluster.nodeById.get(Number(execution.nodeId))
  const clusterTask: ClusterTask = {
    taskId: task.id,
    nodeId: Number(execution.nodeId),
    agentId: node?.agentId ?? execution.agentId,
    docker: task.config.usesDocker,
    behavior,
    duration: taskDuration(random, task.type, jobTypeOf(execution.jobTypeId)),
    state: 'staging',
  }
  cluster.tasks.set(task.id, clusterTask)
  if (behavior.kind === 'launch-failure') {
    at(world, random.int(1 * SECOND, 5 * SECOND), { kind: 'step', taskId: task.id, step: 'end' })
  } else if (clusterTask.docker) {
    at(world, random.int(200, 1500), { kind: 'step', taskId: task.id, step: 'starting' })
  } else {
    at(world, random.int(300, 2 * SECOND), { kind: 'step', taskId: task.id, step: 'running' })
  }
}

const end = (world: World, task: ClusterTask, terminal: StatusFields): void => {
  task.state = 'done'
  task.terminal = terminal
  emit(world, status(world, task, terminal))
}

/** A task moves on: it starts, runs, or ends as its behaviour says. */
export const step = (world: World, cluster: Cluster, taskId: string, which: 'starting' | 'running' | 'end'): void => {
  const random = world.random
  const task = cluster.tasks.get(taskId)
  if (task === undefined || !isLive(task)) return
  switch (which) {
    case 'starting':
      if (task.state !== 'staging') return
      task.state = 'starting'
      emit(world, status(world, task, { state: 'TASK_STARTING', source: 'SOURCE_EXECUTOR' }))
      if (task.behavior.kind !== 'stuck') {
        at(world, random.int(500, 4 * SECOND), { kind: 'step', taskId, step: 'running' })
      }
      return
    case 'running': {
      if (task.state === 'running') return
      task.state = 'running'
      const containerName = `mesos-${random.hex(8)}-${random.hex(4)}-${random.hex(4)}-${random.hex(12)}`
      emit(
        world,
        status(world, task, {
          state: 'TASK_RUNNING',
          source: 'SOURCE_EXECUTOR',
          ...(task.docker ? { data: inspectData(containerName) } : {}),
        }),
      )
      if (task.behavior.kind === 'hang') return
      const duration = task.behavior.kind === 'lose' ? Math.floor(task.duration / 2) : task.duration
      at(world, duration, { kind: 'step', taskId, step: 'end' })
      return
    }
    case 'end': {
      const behavior = task.behavior
      switch (behavior.kind) {
        case 'finish':
        case 'hang':
        case 'stuck':
          return end(world, task, {
            state: 'TASK_FINISHED',
            message: 'Command exited with status 0',
            source: 'SOURCE_EXECUTOR',
          })
        case 'exit':
          return end(world, task, {
            state: 'TASK_FAILED',
            message: `Command exited with status ${behavior.code}`,
            source: 'SOURCE_EXECUTOR',
          })
        case 'launch-failure':
          return end(world, task, {
            state: 'TASK_FAILED',
            message: 'Failed to launch container: image not found',
            source: 'SOURCE_AGENT',
            reason: 'REASON_CONTAINER_LAUNCH_FAILED',
          })
        case 'terminated':
          return end(world, task, {
            state: 'TASK_FAILED',
            message: 'Executor terminated',
            source: 'SOURCE_AGENT',
            reason: 'REASON_EXECUTOR_TERMINATED',
          })
        case 'lose':
          return end(world, task, {
            state: 'TASK_LOST',
            message: 'Agent restarted',
            source: 'SOURCE_AGENT',
            reason: 'REASON_AGENT_RESTARTED',
          })
      }
    }
  }
}

/** The host asks to kill a task: the request reaches the cluster a little later. */
export const requestKill = (world: World, taskId: string): void =>
  at(world, world.random.int(20, 200), { kind: 'kill', taskId })

/** The host asks about a task: the request reaches the cluster a little later. */
export const requestReconcile = (world: World, taskId: string): void =>
  at(world, world.random.int(100, 500), { kind: 'reconcile', taskId })

/** Resources for the next task of an execution, a little later; never for the execution that starves. */
export const offerLater = (world: World, plan: Plan, execution: Execution.Execution): void => {
  if (plan.label === 'starve') return
  at(world, world.random.int(200, 3 * SECOND), { kind: 'offer', clusterId: execution.clusterId })
}

/** A kill reaches the cluster: the executor stops the task (the master answers for a task on a lost node). */
export const kill = (world: World, cluster: Cluster, taskId: string): void => {
  const task = cluster.tasks.get(taskId)
  if (task === undefined) return
  if (task.state === 'gone') {
    emit(world, status(world, task, { state: 'TASK_LOST', source: 'SOURCE_MASTER', reason: 'REASON_AGENT_REMOVED' }))
    return
  }
  if (!isLive(task)) return
  task.state = 'done'
  const terminal: StatusFields = {
    state: 'TASK_KILLED',
    message: 'Command terminated with signal Killed',
    source: 'SOURCE_EXECUTOR',
  }
  task.terminal = terminal
  // The executor needs a moment to stop the container.
  at(world, world.random.int(500, 3 * SECOND), { kind: 'deliver', status: status(world, task, terminal) })
}

/** A reconciliation request reaches the master: it answers with what it knows of the task. */
export const reconcile = (world: World, cluster: Cluster, taskId: string): void => {
  const task = cluster.tasks.get(taskId)
  const answer = { source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION' } as const
  if (task === undefined || task.state === 'gone') {
    const agentId = task?.agentId
    emit(world, {
      task_id: { value: taskId },
      ...(agentId !== undefined ? { agent_id: { value: agentId } } : {}),
      state: 'TASK_LOST',
      timestamp: world.now / 1000,
      message: 'Reconciliation: task is unknown to the master',
      ...answer,
    })
    return
  }
  switch (task.state) {
    case 'staging':
      return emit(world, status(world, task, { state: 'TASK_STAGING', ...answer }))
    case 'starting':
      return emit(world, status(world, task, { state: 'TASK_STARTING', ...answer }))
    case 'running':
      return emit(world, status(world, task, { state: 'TASK_RUNNING', ...answer }))
    case 'done':
      if (task.terminal !== undefined) emit(world, status(world, task, { ...task.terminal, ...answer }))
      return
  }
}

/** The cluster forgets a task once the host has heard of its end. */
export const heard = (cluster: Cluster, taskId: string, ended: boolean): void => {
  const task = cluster.tasks.get(taskId)
  if (task !== undefined && !isLive(task) && ended) cluster.tasks.delete(taskId)
}

/** A node goes down: its live tasks are gone, with no word from them. */
export const loseNode = (cluster: Cluster, node: Node): void => {
  node.up = false
  for (const task of cluster.tasks.values()) {
    if (task.nodeId === node.id && isLive(task)) task.state = 'gone'
  }
}

/** A lost node is back, empty. */
export const nodeBack = (cluster: Cluster, nodeId: number): void => {
  const node = cluster.nodeById.get(nodeId)
  if (node !== undefined) node.up = true
}
