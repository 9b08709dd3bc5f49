/**
 * Stryker configurations for mutation testing in parts, for a machine where
 * all of `src/` in one run takes longer than one sitting (docs/testing.md,
 * "Mutation testing"). Each group is a run of its own, with its own report
 * (reports/mutation/<group>.json), so a stopped session keeps what it measured.
 *
 *   npx tsx scripts/mutation-groups.ts [--sample N]
 *   TZ=Asia/Kathmandu npx stryker run reports/mutation/stryker.g1.json
 *
 * `--sample N` mutates one block of four lines in N, chosen by a fixed hash of
 * the file and line (the same blocks on every run): a score over the sample
 * estimates the group's. `--survivors [--timeouts] REPORT...` instead writes
 * reports/mutation/stryker.survivors.json, which mutates only where those
 * reports' survivors and uncovered (and timed-out) mutants are: after new tests, the run that
 * says which of them are now killed.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fnv1a32 } from '../src/internal/fnv1a'

const ROOT = join(import.meta.dirname, '..')
const OUT = join(ROOT, 'reports', 'mutation')

const internal = (...names: readonly string[]): string[] => names.map((name) => `src/internal/${name}.ts`)

/** The groups: the manager's state, ids and metrics, the execution and its records, the boundary, snapshots and tools. */
export const GROUPS: Readonly<Record<string, readonly string[]>> = {
  g1: [
    'src/manager.ts',
    ...internal('managerState', 'indexMaintenance', 'nodeJobGroups', 'outbox', 'remembered', 'deadlineIndex'),
    ...internal('hostRecords', 'lifecycle', 'sharding', 'signals', 'patch'),
  ],
  g2: ['src/ids.ts', 'src/metrics.ts', ...internal('nodeSet', 'statusTable', 'canonical', 'fnv1a', 'digest')],
  g3: [
    'src/task.ts',
    'src/execution.ts',
    ...internal('executionGuard', 'isoInstant', 'list', 'literals', 'records', 'recordGuards', 'fieldGuards'),
    ...internal('eventGuards', 'updateGuard', 'plainData', 'shapes', 'invalid'),
  ],
  g4: [
    'src/taskResults.ts',
    'src/taskUpdate.ts',
    'src/errors.ts',
    'src/container.ts',
    'src/settings.ts',
    ...internal('decode', 'fastPath', 'kubernetesPod', 'stateCodecs'),
  ],
  g5: [
    'src/eventLog.ts',
    'src/cli.ts',
    ...internal('args', 'logLine', 'snapshot', 'snapshotChecks', 'snapshotCompact', 'hashMap', 'sortedMap', 'version'),
  ],
}

// What no group mutates: re-exports, the test kit (tested by its users), and
// the PostgreSQL store (its tests need a server: run it as a group of its own).
const LEFT_OUT = new Set(['src/index.ts', 'src/testing.ts'])

const base = (): Record<string, unknown> =>
  JSON.parse(readFileSync(join(ROOT, 'stryker.config.json'), 'utf8')) as Record<string, unknown>

const configOf = (name: string, mutate: readonly string[]): Record<string, unknown> => ({
  ...base(),
  mutate,
  // A mutant that loops for ever is stopped by Stryker's hit limit; this is the
  // margin for the rest, over 1.5 times the covering tests' time.
  timeoutMS: 8000,
  reporters: ['json', 'html', 'progress'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  tempDirName: `.stryker-tmp-${name}`,
})

const sampled = (files: readonly string[], n: number): string[] =>
  files.flatMap((file) => {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n').length
    const ranges: string[] = []
    for (let first = 1; first <= lines; first += 4) {
      if (fnv1a32(`${file}:${first}`) % n === 0) ranges.push(`${file}:${first}-${Math.min(first + 3, lines)}`)
    }
    return ranges
  })

interface ReportedMutant {
  readonly status: string
  readonly location: {
    readonly start: { line: number; column: number }
    readonly end: { line: number; column: number }
  }
}

// Timed-out mutants too with --timeouts: a loaded machine times out mutants that
// a quiet one would have run to the end, and Stryker counts them as killed.
const survivorsOf = (reports: readonly string[], withTimeouts: boolean): string[] => {
  const wanted = new Set(['Survived', 'NoCoverage', ...(withTimeouts ? ['Timeout'] : [])])
  const ranges = new Set<string>()
  for (const path of reports) {
    const report = JSON.parse(readFileSync(path, 'utf8')) as {
      files: Record<string, { mutants: readonly ReportedMutant[] }>
    }
    for (const [file, { mutants }] of Object.entries(report.files)) {
      for (const { status, location: at } of mutants) {
        if (!wanted.has(status)) continue
        // Reports count columns from 1, mutate ranges from 0.
        ranges.add(`${file}:${at.start.line}:${at.start.column - 1}-${at.end.line}:${at.end.column}`)
      }
    }
  }
  return [...ranges]
}

const main = (args: readonly string[]): void => {
  mkdirSync(OUT, { recursive: true })
  const write = (name: string, mutate: readonly string[]): void => {
    writeFileSync(join(OUT, `stryker.${name}.json`), `${JSON.stringify(configOf(name, mutate), null, 1)}\n`)
    console.log(`reports/mutation/stryker.${name}.json: ${mutate.length} files or ranges`)
  }
  if (args[0] === '--survivors') {
    const withTimeouts = args[1] === '--timeouts'
    return write('survivors', survivorsOf(args.slice(withTimeouts ? 2 : 1), withTimeouts))
  }
  const grouped = new Set(Object.values(GROUPS).flat())
  const sources = [
    ...readdirSync(join(ROOT, 'src')).map((f) => `src/${f}`),
    ...readdirSync(join(ROOT, 'src', 'internal')).map((f) => `src/internal/${f}`),
  ].filter((f) => f.endsWith('.ts') && !LEFT_OUT.has(f))
  const missing = sources.filter((f) => !grouped.has(f))
  if (missing.length > 0) console.warn(`in no group (add them): ${missing.join(', ')}`)
  const n = args[0] === '--sample' ? Number(args[1]) : 1
  if (!Number.isSafeInteger(n) || n < 1) throw new Error('--sample takes a whole number, 1 or more')
  for (const [name, files] of Object.entries(GROUPS)) write(name, n === 1 ? files : sampled(files, n))
}

main(process.argv.slice(2))
