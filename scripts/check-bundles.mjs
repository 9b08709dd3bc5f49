// Run by check-package.sh inside the throw-away project that installed the
// packed tarball, with ESBUILD naming esbuild's binary. Checks that:
// - a host's bundler tree-shakes the package: a minified bundle of `Ids` alone,
//   fp-ts and io-ts included, is at most a tenth of one of everything;
// - the ESM build imports fp-ts through `#fp-ts/*` (no `fp-ts/lib` CommonJS
//   file), so a host's bundle holds one copy of each fp-ts module, its own;
// - each module system holds one copy of the core: every source module is in
//   one output file, and the manager functions and error classes the /testing
//   and /postgres entries use are the root entry's, in the ES modules bundlers
//   take and in the CommonJS build;
// - in Node, `import` and `require` load the same (CommonJS) copy.
import { execFileSync } from 'node:child_process'
import console from 'node:console'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import process from 'node:process'
import { fileURLToPath, pathToFileURL, URL } from 'node:url'

const esbuild = process.env.ESBUILD
if (esbuild === undefined) throw new Error('ESBUILD must name the esbuild binary')
const require = createRequire(join(process.cwd(), 'package.json'))
const root = dirname(require.resolve('job-execution-core/package.json'))
const fail = (message) => {
  console.error(message)
  process.exit(1)
}
const format = (bytes) => `${new Intl.NumberFormat('en-US').format(bytes)} bytes`

/** The bundle of `source` (esbuild, ESM, minified), its size and its input files. */
const bundle = (name, source, options = []) => {
  writeFileSync(`${name}.mjs`, source)
  execFileSync(esbuild, [
    `${name}.mjs`,
    '--bundle',
    '--minify',
    '--format=esm',
    `--outfile=${name}.bundle.js`,
    `--metafile=${name}.meta.json`,
    '--log-level=warning',
    ...options,
  ])
  const inputs = Object.keys(JSON.parse(readFileSync(`${name}.meta.json`, 'utf8')).inputs)
  return { size: statSync(`${name}.bundle.js`).size, inputs }
}

// Tree-shaking. Each bundle logs what it imports, so that nothing imported is dropped.
const ids = bundle('ids', "import { Ids } from 'job-execution-core'\nconsole.log(Ids)\n")
const all = bundle('everything', "import * as all from 'job-execution-core'\nconsole.log(all)\n")
for (const peer of ['fp-ts', 'io-ts']) {
  if (!all.inputs.some((path) => path.startsWith(`node_modules/${peer}/es6/`))) {
    fail(`the bundle of everything does not hold ${peer}'s ES modules`)
  }
}
const share = ids.size / all.size
console.log(
  `bundle of Ids alone: ${format(ids.size)}; of everything: ${format(all.size)} (${(100 * share).toFixed(1)}%, esbuild --bundle --minify, fp-ts and io-ts included)`,
)
if (share > 0.1) fail('the bundle of Ids alone is more than a tenth of the bundle of everything')

// fp-ts: the ESM build imports it through the package's imports map only.
const files = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  )
const dist = files(join(root, 'dist'))
let viaImportsMap = 0
for (const file of dist.filter((path) => path.endsWith('.js'))) {
  for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*"([^".][^"]*)"/g)) {
    if (/^fp-ts\/|^io-ts\/lib\//.test(specifier)) fail(`${file} imports ${specifier}, not #fp-ts/X or io-ts`)
    if (specifier.startsWith('#fp-ts/')) viaImportsMap += 1
  }
}
if (viaImportsMap === 0) fail('no ESM file imports fp-ts through #fp-ts/*')
console.log(`ESM build: ${viaImportsMap} imports of fp-ts, all through #fp-ts/* (none of fp-ts/lib)`)
// A host importing fp-ts/Either itself: one copy of it in the bundle, the host's own,
// for the bundler's web and Node targets alike.
for (const platform of ['browser', 'node']) {
  const host = bundle(
    `host-${platform}`,
    "import * as E from 'fp-ts/Either'\nimport * as all from 'job-execution-core'\nconsole.log(E, all)\n",
    [`--platform=${platform}`, '--external:pg', '--external:fast-check'],
  )
  const either = host.inputs.filter((path) => /^node_modules\/fp-ts\/(lib|es6)\/Either\.js$/.test(path))
  if (either.length !== 1) fail(`a ${platform} host's bundle holds fp-ts/Either ${either.length} times: ${either}`)
  if (platform === 'browser' && either[0] !== 'node_modules/fp-ts/es6/Either.js') {
    fail(`a browser host's bundle holds ${either[0]}, not fp-ts's ES module`)
  }
  console.log(`a ${platform} host's bundle: one fp-ts/Either (${either[0]})`)
}

// A bundle whose code both imports and requires the package: one copy (the ES
// modules, which the module condition gives require too).
writeFileSync('requirer.cjs', "module.exports = require('job-execution-core').Manager\n")
const mixed = bundle(
  'mixed',
  "import { Manager } from 'job-execution-core'\nimport required from './requirer.cjs'\nconsole.log(Manager === required)\n",
)
const managers = mixed.inputs.filter((path) => /job-execution-core\/dist\/manager\.c?js$/.test(path))
if (managers.join() !== 'node_modules/job-execution-core/dist/manager.js') {
  fail(`a bundle that imports and requires the package holds ${managers.join(', ')}`)
}
console.log('a bundle that imports and requires the package: one copy (dist/manager.js): ok')

// One copy of the core per module system: esbuild marks each source module it
// emits with a `// src/...` line; each must be in one file of each build.
for (const extension of ['.js', '.cjs']) {
  const where = new Map()
  for (const file of dist.filter((path) => path.endsWith(extension))) {
    for (const source of new Set(
      Array.from(readFileSync(file, 'utf8').matchAll(/^\/\/ (src\/\S+\.ts)$/gm), (m) => m[1]),
    )) {
      where.set(source, [...(where.get(source) ?? []), file])
    }
  }
  for (const [source, outputs] of where) {
    if (outputs.length > 1) fail(`${source} is in ${outputs.length} ${extension} files: ${outputs.join(', ')}`)
  }
  if (where.size === 0) fail(`no ${extension} file names its source module`)
}

// The manager module each entry loads: the one whose namespace has `fromSnapshot`.
const ENTRIES = ['job-execution-core', 'job-execution-core/testing', 'job-execution-core/postgres']
const managerOf = (entry, managers) => {
  if (managers.length !== 1) fail(`${entry} loads ${managers.length} manager modules: ${managers.map((m) => m.file)}`)
  return managers[0]
}
const sameCore = (system, rootApi, managers) => {
  const error = managers[0].api.fromSnapshot(null).left
  for (const [entry, manager] of managers.map((m, i) => [ENTRIES[i], m])) {
    if (manager.file !== managers[0].file) fail(`${system}: ${entry} loads ${manager.file}, not ${managers[0].file}`)
    if (manager.api.reduce !== rootApi.Manager.reduce || manager.api.fromSnapshot !== rootApi.Manager.fromSnapshot) {
      fail(`${system}: the manager functions ${entry} uses are not the root entry's`)
    }
    if (!(manager.api.fromSnapshot(null).left instanceof rootApi.Manager.InvalidSnapshot)) {
      fail(`${system}: an InvalidSnapshot made by the manager ${entry} uses is not instanceof the root's class`)
    }
  }
  if (!(error instanceof Error) || error.name !== 'InvalidSnapshot')
    fail(`${system}: fromSnapshot(null) is not refused`)
}

// The ES modules bundlers take (the `module` condition of the exports map):
// the files an entry loads, following the relative imports of each (the URL
// each names is the module instance it gets). Node can load them too, as the
// command line does.
const esmGraph = (file) => {
  const seen = new Set()
  const todo = [file]
  while (todo.length > 0) {
    const next = todo.pop()
    if (seen.has(next)) continue
    seen.add(next)
    for (const [, specifier] of readFileSync(next, 'utf8').matchAll(/(?:from|import)\s*"(\.\.?\/[^"]+)"/g)) {
      todo.push(fileURLToPath(new URL(specifier, pathToFileURL(next))))
    }
  }
  return [...seen]
}
const exportsMap = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).exports
const moduleFile = (entry) => {
  const target = exportsMap[entry.replace(/^job-execution-core/, '.')]?.module?.default
  if (typeof target !== 'string') fail(`the exports map has no module condition for ${entry}`)
  return join(root, target)
}
const esmRoot = await import(pathToFileURL(moduleFile(ENTRIES[0])).href)
const esmManagers = []
for (const entry of ENTRIES) {
  const found = []
  for (const file of esmGraph(moduleFile(entry))) {
    const api = await import(pathToFileURL(file).href)
    if (typeof api.fromSnapshot === 'function' && typeof api.reduce === 'function') found.push({ file, api })
  }
  esmManagers.push(managerOf(entry, found))
}
sameCore('ESM', esmRoot, esmManagers)
const esmTesting = await import(pathToFileURL(moduleFile(ENTRIES[1])).href)
if (esmTesting.EXIT_CODE_ERRORS !== esmRoot.Errors.SCALE_EXIT_CODES) fail('ESM: /testing has its own Errors module')

// CommonJS: the modules each entry required, as Node's module tree records them.
const cjsRoot = require('job-execution-core')
const cjsManagers = ENTRIES.map((entry) => {
  require(entry)
  const seen = new Set()
  const found = []
  const walk = (module) => {
    if (seen.has(module)) return
    seen.add(module)
    const api = module.exports
    if (typeof api.fromSnapshot === 'function' && typeof api.reduce === 'function') {
      found.push({ file: module.filename, api })
    }
    module.children.forEach(walk)
  }
  walk(require.cache[require.resolve(entry)])
  return managerOf(entry, found)
})
sameCore('CommonJS', cjsRoot, cjsManagers)
if (require('job-execution-core/testing').EXIT_CODE_ERRORS !== cjsRoot.Errors.SCALE_EXIT_CODES) {
  fail('CommonJS: /testing has its own Errors module')
}
console.log('one copy of the core per module system (ESM and CommonJS; root, /testing, /postgres): ok')

// Node: `import` runs the CommonJS build too, so a process that imports and
// requires the package has one copy of it (no dual-package hazard).
const nodeRoot = await import('job-execution-core')
if (nodeRoot.Manager.reduce !== cjsRoot.Manager.reduce) fail('Node: import and require give two managers')
if (!(nodeRoot.Manager.fromSnapshot(null).left instanceof cjsRoot.Manager.InvalidSnapshot)) {
  fail("Node: an InvalidSnapshot from import is not instanceof require's class")
}
if (
  (await import('job-execution-core/testing')).checkInvariants !== require('job-execution-core/testing').checkInvariants
) {
  fail('Node: import and require give two /testing entries')
}
if ((await import('job-execution-core/postgres')).runShard !== require('job-execution-core/postgres').runShard) {
  fail('Node: import and require give two /postgres entries')
}
console.log('Node: import and require load one copy of the core (root, /testing, /postgres): ok')

// Where two copies do meet (the ES modules beside the CommonJS build, as when a
// bundled copy and an installed one share a process, or two installed
// versions): a state is plain data, so one copy reduces the other's; an error
// is not `instanceof` the other copy's class, and its `_tag` says what it is.
const spec = {
  id: 1,
  clusterId: 'scale_job_fw_1x1',
  jobId: 1,
  exeNum: 1,
  jobTypeId: 2,
  nodeId: 3,
  agentId: 'a',
  queued: 0,
  started: 0,
  taskTypes: ['main'],
  jobType: { name: 'j', isSystem: false, isLongRunning: false, timeout: 60000 },
}
const finished = { task_id: { value: 'scale_job_fw_1x1_main' }, state: 'TASK_FINISHED', timestamp: 0.003 }
let crossed = esmRoot.Manager.create(0)
crossed = cjsRoot.Manager.reduce(crossed, { type: 'Scheduled', executions: [spec] }, 0)
crossed = esmRoot.Manager.reduce(crossed, { type: 'NextTaskStarted', clusterId: spec.clusterId }, 1)
crossed = cjsRoot.Manager.reduce(crossed, { type: 'TaskLaunched', taskId: finished.task_id.value }, 2)
crossed = esmRoot.Manager.reduce(
  crossed,
  { type: 'TaskUpdated', update: cjsRoot.TaskUpdate.fromMesos(finished).right },
  3,
)
const crossedTypes = esmRoot.Manager.drain(crossed, 4)[0].map((message) => message.type)
if (crossedTypes.join() !== 'JobExeEnd,CompletedJobs') fail(`two copies passing a state: drained ${crossedTypes}`)
const foreign = cjsRoot.Manager.fromSnapshot(null).left
if (foreign instanceof esmRoot.Manager.InvalidSnapshot || foreign._tag !== 'InvalidSnapshot') {
  fail("two copies: an error is expected to be instanceof its own copy's class only, with the same _tag")
}
console.log('two copies, if a host makes them: states cross, errors are told by _tag, not instanceof: ok')
