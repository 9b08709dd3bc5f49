#!/usr/bin/env bash
# Builds and packs the library, lints the tarball (publint, are-the-types-wrong
# with its default profile, node10 resolution included), then installs it into a
# throw-away project and imports both entries from ESM and CommonJS. The root
# entry must load without fast-check installed; fp-ts and io-ts are peers, so
# the host's own copy is the only one, and the oldest versions the peer ranges
# allow are checked too.
# The root entry never loads pg (the optional peer of job-execution-core/postgres).
# check-bundles.mjs measures what a host's bundler makes of the installed package
# (tree-shaking, one fp-ts, one copy of the core per module system), with the
# current and with the oldest peers.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export ESBUILD="$repo/node_modules/.bin/esbuild"
npm run build >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
echo "packed $tarball"
npx publint run "$work/$tarball" --strict
npx attw "$work/$tarball"

app="$work/app"
mkdir -p "$app"
cd "$app"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "$work/$tarball"
cat > root.mjs <<'JS'
import { Manager, Ids } from 'job-execution-core'
if (Ids.clusterId('fw', 1, 2) !== 'scale_job_fw_1x2') throw new Error('ESM root import is broken')
if (Manager.runningExecutions(Manager.create(0)).length !== 0) throw new Error('ESM root import is broken')
console.log('ESM root import: ok')
JS
cat > root.cjs <<'JS'
const { Manager, Ids } = require('job-execution-core')
if (Ids.clusterId('fw', 1, 2) !== 'scale_job_fw_1x2') throw new Error('CJS root import is broken')
if (Manager.runningExecutions(Manager.create(0)).length !== 0) throw new Error('CJS root import is broken')
if (Object.keys(require.cache).some((k) => k.includes('fast-check'))) throw new Error('the root entry loaded fast-check')
if (Object.keys(require.cache).some((k) => /[\\/]node_modules[\\/]pg[\\/]/.test(k))) throw new Error('the root entry loaded pg')
console.log('CJS root import: ok')
JS
node root.mjs
node root.cjs
copies=$(find node_modules -path '*/fp-ts/package.json' | wc -l)
[ "$copies" -eq 1 ] || { echo "expected one copy of fp-ts, found $copies"; exit 1; }
echo "one copy of fp-ts: ok"
cat > node10.cjs <<'JS'
// Resolution without the exports map (node10, old bundlers): the testing/ stub.
const fs = require('node:fs')
const path = require('node:path')
const root = path.dirname(require.resolve('job-execution-core/package.json'))
const stub = JSON.parse(fs.readFileSync(path.join(root, 'testing', 'package.json'), 'utf8'))
for (const file of [stub.main, stub.types]) {
  if (!fs.existsSync(path.join(root, 'testing', file))) throw new Error(`testing/package.json names a missing ${file}`)
}
console.log('node10 stub for /testing: ok')
JS
node node10.cjs
npm install --no-audit --no-fund --silent fast-check@4
cat > testing.mjs <<'JS'
import fc from 'fast-check'
import { Manager } from 'job-execution-core'
import { eventStream, checkInvariants } from 'job-execution-core/testing'
fc.assert(fc.property(eventStream({ maxLength: 30 }), (stream) => {
  let state = Manager.create(stream.start)
  for (const { now, event } of stream.events) state = Manager.reduce(state, event, now)
  return checkInvariants(state).length === 0
}), { numRuns: 20 })
console.log('ESM testing import: ok')
JS
cat > testing.cjs <<'JS'
const { checkInvariants } = require('job-execution-core/testing')
const { Manager } = require('job-execution-core')
if (checkInvariants(Manager.create(0)).length !== 0) throw new Error('CJS testing import is broken')
console.log('CJS testing import: ok')
JS
node testing.mjs
node testing.cjs
npm install --no-audit --no-fund --silent pg@8
cat > postgres.mjs <<'JS'
import { MemoryStore, PgStore, runShard, routeLine, SCHEMA_VERSION } from 'job-execution-core/postgres'
if (typeof PgStore.connect !== 'function' || SCHEMA_VERSION !== 1) throw new Error('ESM postgres import is broken')
const routed = routeLine('{"now":1,"event":{"type":"NodeLost","nodeId":3}}', 2)
if (routed._tag !== 'Right' || routed.right.length !== 2) throw new Error('ESM postgres routeLine is broken')
const stop = await runShard(MemoryStore.create(), 0, { signal: new AbortController().signal, start: 0, untilCaughtUp: true })
if (stop.type !== 'Stopped') throw new Error('ESM postgres runShard is broken')
console.log('ESM postgres import: ok')
JS
cat > postgres.cjs <<'JS'
const { PgStore } = require('job-execution-core/postgres')
if (typeof PgStore.connect !== 'function') throw new Error('CJS postgres import is broken')
console.log('CJS postgres import: ok')
JS
node postgres.mjs
node postgres.cjs
node root.cjs # again, now that pg is installed: the root entry still does not load it
cp "$repo/scripts/check-bundles.mjs" .
node check-bundles.mjs
# The oldest peers the ranges promise.
npm install --no-audit --no-fund --silent fp-ts@2.10.0 io-ts@2.2.16
node root.mjs
node root.cjs
node testing.mjs
node testing.cjs
node postgres.mjs
node postgres.cjs
node check-bundles.mjs
echo "oldest peers (fp-ts 2.10.0, io-ts 2.2.16): ok"
cat > tiny.log <<'LOG'
{"now":0,"event":{"type":"Scheduled","executions":[{"id":1,"clusterId":"scale_job_fw_1x1","jobId":1,"exeNum":1,"jobTypeId":2,"nodeId":3,"agentId":"a","queued":0,"started":0,"taskTypes":["main"],"jobType":{"name":"j","isSystem":false,"isLongRunning":false,"timeout":60000}}]}}
{"now":1,"event":{"type":"NextTaskStarted","clusterId":"scale_job_fw_1x1"}}
{"now":2,"event":{"type":"TaskLaunched","taskId":"scale_job_fw_1x1_main"}}
{"now":3,"event":{"type":"TaskUpdated","update":{"type":"MesosStatus","status":{"task_id":{"value":"scale_job_fw_1x1_main"},"state":"TASK_FINISHED","timestamp":0.003}}}}
LOG
replayed=$(npx --no-install job-execution-core replay tiny.log --json)
echo "$replayed" | grep -q '"messages":{"CompletedJobs":1,"JobExeEnd":1}' || { echo "the bin's replay is broken: $replayed"; exit 1; }
echo "bin replay: ok"
[ "$(npx --no-install job-execution-core replay - --json < tiny.log)" = "$replayed" ] || { echo "the bin's replay - (standard input) is broken"; exit 1; }
[ "$(npx --no-install job-execution-core --version)" = "$(node -p 'require("job-execution-core/package.json").version')" ] || { echo "the bin's --version is broken"; exit 1; }
echo "bin replay -, --version: ok"
echo "package checks: ok"
