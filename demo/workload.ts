/**
 * The demo's workload: the job types, and the seeded queue of jobs, each with
 * the fate it is to meet in the cluster (a {@link Plan}): most complete, some
 * fail in every error category, and a few at chosen places show the special
 * cases (hanging main tasks, a task stuck in staging, a lost and retried task,
 * a starved execution). The host takes jobs from the queue; the cluster looks
 * up the plan of an execution to decide how its tasks behave.
 */
import { Errors, type Task } from '../src/index'
import type { Random } from './random'

/** Milliseconds in a second, the demo's unit of virtual time. */
export const SECOND = 1000
/** Milliseconds in a minute. */
export const MINUTE = 60 * SECOND

/** The virtual instant the simulation starts at. */
export const START = Date.UTC(2026, 0, 1)

/** System exit codes (the registry for pre, post and system main tasks): Scale's own. */
export const EXIT_CODE_ERRORS: Errors.ExitCodeErrors = Errors.SCALE_EXIT_CODES

// Exit codes of non-system main tasks, mapped per job type.
const DATA_CODE = 1
const ALGORITHM_CODE = 2
const UNMAPPED_CODE = 139

type TaskType = Task.TaskType

/** A job type of the demo: what its executions run, for how long, and how often it is queued. */
export interface DemoJobType {
  readonly id: number
  readonly name: string
  readonly title: string
  readonly isSystem: boolean
  readonly timeout: number
  readonly taskTypes: readonly TaskType[]
  /** The shortest and longest run of its main task. */
  readonly mainRun: readonly [number, number]
  /** Its share of the queue. */
  readonly weight: number
  readonly errorMapping?: Errors.ExitCodeErrors
}

const mapping = (name: string, title: string): Errors.ExitCodeErrors => ({
  [DATA_CODE]: { name: `${name}-bad-input`, category: 'DATA', title: `${title}: invalid input data` },
  [ALGORITHM_CODE]: { name: `${name}-crashed`, category: 'ALGORITHM', title: `${title}: algorithm crashed` },
})

const ALL_TASKS: readonly TaskType[] = ['pull', 'pre', 'main', 'post']

/** The demo's job types, the first the fallback for an unknown id. */
export const JOB_TYPES: readonly [DemoJobType, ...DemoJobType[]] = [
  {
    id: 1,
    name: 'ingest-scene',
    title: 'Ingest scene',
    isSystem: false,
    timeout: 20 * MINUTE,
    taskTypes: ALL_TASKS,
    mainRun: [20 * SECOND, 3 * MINUTE],
    weight: 30,
    errorMapping: mapping('ingest-scene', 'Ingest scene'),
  },
  {
    id: 2,
    name: 'detect-ships',
    title: 'Detect ships',
    isSystem: false,
    timeout: 30 * MINUTE,
    taskTypes: ALL_TASKS,
    mainRun: [1 * MINUTE, 6 * MINUTE],
    weight: 25,
    errorMapping: mapping('detect-ships', 'Detect ships'),
  },
  {
    id: 3,
    name: 'classify-landcover',
    title: 'Classify land cover',
    isSystem: false,
    timeout: 25 * MINUTE,
    taskTypes: ALL_TASKS,
    mainRun: [1 * MINUTE, 5 * MINUTE],
    weight: 20,
    errorMapping: mapping('classify-landcover', 'Classify land cover'),
  },
  {
    id: 4,
    name: 'tile-mosaic',
    title: 'Tile mosaic',
    isSystem: false,
    timeout: 40 * MINUTE,
    taskTypes: ['pull', 'main', 'post'],
    mainRun: [2 * MINUTE, 8 * MINUTE],
    weight: 15,
    errorMapping: mapping('tile-mosaic', 'Tile mosaic'),
  },
  {
    id: 5,
    name: 'scale-purge',
    title: 'Purge products (system)',
    isSystem: true,
    timeout: 15 * MINUTE,
    taskTypes: ['main'],
    mainRun: [5 * SECOND, 1 * MINUTE],
    weight: 10,
  },
]

const jobTypeById = new Map(JOB_TYPES.map((t) => [t.id, t]))

/** The job type of this id (the first one for an unknown id). */
export const jobTypeOf = (id: number): DemoJobType => jobTypeById.get(id) ?? JOB_TYPES[0]

/** How a task behaves in the cluster. */
export type Behavior =
  | { readonly kind: 'finish' }
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'launch-failure' }
  | { readonly kind: 'terminated' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'stuck' }
  | { readonly kind: 'lose' }

/** A task that runs and exits with status 0. */
export const FINISH: Behavior = { kind: 'finish' }

/** What a plan shows. */
export type PlanLabel = 'complete' | 'algorithm' | 'data' | 'system' | 'hang' | 'stuck' | 'lose' | 'starve'

/** What an execution is fated to do: which of its tasks misbehaves, and how. */
export interface Plan {
  readonly label: PlanLabel
  readonly taskType?: TaskType
  readonly behavior: Behavior
}

/** The plan of an execution that completes. */
export const COMPLETE: Plan = { label: 'complete', behavior: FINISH }

/** A job waiting in the queue for its execution `exeNum`. */
export interface QueuedJob {
  readonly jobId: number
  readonly exeNum: number
  readonly jobType: DemoJobType
  readonly plan: Plan
  readonly queued: number
  readonly priority: number
}

/**
 * The queue of jobs (`jobs` from `head` on, re-queued ones in `urgent` first)
 * and the plan of every execution taken from it so far, by job and exe number.
 */
export interface Workload {
  readonly jobs: readonly QueuedJob[]
  head: number
  readonly urgent: QueuedJob[]
  readonly plans: Map<string, Plan>
}

const pickWeighted = (random: Random, types: readonly [DemoJobType, ...DemoJobType[]]): DemoJobType => {
  const total = types.reduce((sum, t) => sum + t.weight, 0)
  let r = random.next() * total
  for (const t of types) {
    r -= t.weight
    if (r < 0) return t
  }
  return types[0]
}

const nonEmpty = <A>(items: readonly A[], fallback: readonly [A, ...A[]]): readonly [A, ...A[]] => {
  const [first, ...rest] = items
  return first === undefined ? fallback : [first, ...rest]
}

const userTypes = nonEmpty(
  JOB_TYPES.filter((t) => !t.isSystem),
  JOB_TYPES,
)
const systemTypes = nonEmpty(
  JOB_TYPES.filter((t) => t.isSystem),
  JOB_TYPES,
)

// A random plan for an ordinary job: mostly completions, some failures of each category.
const ordinaryPlan = (random: Random, jobType: DemoJobType): Plan => {
  const r = random.next()
  const has = (type: TaskType): boolean => jobType.taskTypes.includes(type)
  if (jobType.isSystem) {
    if (r < 0.9) return COMPLETE
    return random.chance(0.7)
      ? { label: 'system', taskType: 'main', behavior: { kind: 'exit', code: random.pick([3, 4, 5] as const) } }
      : { label: 'system', taskType: 'main', behavior: { kind: 'launch-failure' } }
  }
  if (r < 0.84) return COMPLETE
  if (r < 0.88) {
    const code = random.chance(0.7) ? ALGORITHM_CODE : UNMAPPED_CODE
    return { label: 'algorithm', taskType: 'main', behavior: { kind: 'exit', code } }
  }
  if (r < 0.92) return { label: 'data', taskType: 'main', behavior: { kind: 'exit', code: DATA_CODE } }
  const options: Plan[] = [{ label: 'system', taskType: 'main', behavior: { kind: 'launch-failure' } }]
  if (has('pull')) options.push({ label: 'system', taskType: 'pull', behavior: { kind: 'exit', code: 1 } })
  if (has('pre')) options.push({ label: 'system', taskType: 'pre', behavior: { kind: 'exit', code: 3 } })
  if (has('post')) {
    options.push({ label: 'system', taskType: 'post', behavior: { kind: 'exit', code: random.pick([4, 6] as const) } })
    options.push({ label: 'system', taskType: 'post', behavior: { kind: 'terminated' } })
  }
  return random.pickFrom(options) ?? COMPLETE
}

/**
 * `count` jobs, in queue order: ordinary ones, and at places drawn among the
 * first 60 % the special ones the demo must show.
 */
export const createWorkload = (random: Random, count: number): Workload => {
  const hangs = Math.max(1, Math.round(count / 700))
  const specials: Array<{ readonly plan: Plan; readonly system: boolean }> = []
  for (let i = 0; i < hangs; i++) {
    specials.push({ plan: { label: 'hang', taskType: 'main', behavior: { kind: 'hang' } }, system: i === 1 })
  }
  specials.push({ plan: { label: 'lose', taskType: 'main', behavior: { kind: 'lose' } }, system: false })
  specials.push({ plan: { label: 'starve', behavior: FINISH }, system: false })
  specials.push({ plan: { label: 'stuck', taskType: 'main', behavior: { kind: 'stuck' } }, system: false })
  const early = Math.max(1, Math.floor(count * 0.6))
  const places = random.sample(
    Array.from({ length: Math.min(early, count) }, (_, i) => i),
    specials.length,
  )
  const specialAt = new Map<number, { readonly plan: Plan; readonly system: boolean }>()
  places.forEach((place, i) => {
    const special = specials[i]
    if (special !== undefined) specialAt.set(place, special)
  })
  const jobs: QueuedJob[] = []
  for (let i = 0; i < count; i++) {
    const special = specialAt.get(i)
    const jobType =
      special === undefined
        ? pickWeighted(random, JOB_TYPES)
        : special.system
          ? random.pick(systemTypes)
          : pickWeighted(random, userTypes)
    const plan = special === undefined ? ordinaryPlan(random, jobType) : special.plan
    jobs.push({ jobId: i + 1, exeNum: 1, jobType, plan, queued: START, priority: random.int(1, 100) })
  }
  return { jobs, head: 0, urgent: [], plans: new Map() }
}

/** Jobs still waiting. */
export const remaining = (workload: Workload): number => workload.urgent.length + (workload.jobs.length - workload.head)

/** An execution of a job: which job, and which of its runs. */
export interface ExecutionOfJob {
  readonly jobId: number
  readonly exeNum: number
}

const keyOf = (execution: ExecutionOfJob): string => `${execution.jobId}x${execution.exeNum}`

const next = (workload: Workload): QueuedJob | undefined => {
  const first = workload.urgent.shift()
  if (first !== undefined) return first
  const job = workload.jobs[workload.head]
  if (job !== undefined) workload.head++
  return job
}

/** The next job to schedule, re-queued ones first; its plan is kept for the cluster. */
export const dequeue = (workload: Workload): QueuedJob | undefined => {
  const job = next(workload)
  if (job !== undefined) workload.plans.set(keyOf(job), job.plan)
  return job
}

/** Queues a job again, ahead of the others, for its next execution (it completes). */
export const requeue = (workload: Workload, jobId: number, exeNum: number, jobTypeId: number, now: number): void => {
  workload.urgent.push({ jobId, exeNum, jobType: jobTypeOf(jobTypeId), plan: COMPLETE, queued: now, priority: 100 })
}

/** The plan of an execution taken from the queue (complete when unknown). */
export const planOf = (workload: Workload, execution: ExecutionOfJob): Plan =>
  workload.plans.get(keyOf(execution)) ?? COMPLETE

/** Whether an execution is fated to do anything but complete. */
export const isSpecial = (workload: Workload, execution: ExecutionOfJob): boolean =>
  planOf(workload, execution).label !== 'complete'
