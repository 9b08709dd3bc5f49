/**
 * `npm run bench:shards [-- --jobs N]`: events per second of K = 1, 2 and 4
 * shard managers (worker threads) replaying the demo workload's log.
 */
import { cpus } from 'node:os'
import { measureShards, recordWorkload } from './measure'

const jobsFlag = process.argv.indexOf('--jobs')
const jobs = jobsFlag === -1 ? 100_000 : Number(process.argv[jobsFlag + 1])
if (!Number.isSafeInteger(jobs) || jobs < 1) {
  process.stderr.write('bench:shards: --jobs must be a positive integer\n')
  process.exit(2)
}
const log = recordWorkload(jobs)
process.stdout.write(`shards: demo workload of ${jobs} executions, ${log.length} events, ${cpus().length} cores\n`)
for (const k of [1, 2, 4]) {
  const figure = await measureShards(log, k)
  process.stdout.write(
    `  K = ${k}: ${Math.round(figure.eventsPerSecond).toLocaleString('en')} events/s (${figure.seconds.toFixed(2)} s)\n`,
  )
}
