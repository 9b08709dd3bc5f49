/**
 * The table of the final status per node that the demo's summary and the
 * `replay` command print: right-aligned columns, the failed counts grouped
 * under a dashed title, and a total row. Numbers read as `1,667`.
 */
import type { NodeStatusJson } from '../metrics'
import { formatCount } from './args'

// Right-aligned columns, two spaces apart; `group` puts a dashed title over columns `from` to the end.
const table = (
  rows: ReadonlyArray<readonly string[]>,
  group: { readonly title: string; readonly from: number },
): string[] => {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  const lines = rows.map((row) =>
    row
      .map((cell, i) => cell.padStart(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  )
  const indent = widths.slice(0, group.from).reduce((sum, w) => sum + w + 2, 0)
  const span = widths.slice(group.from).reduce((sum, w) => sum + w, 0) + 2 * (widths.length - group.from - 1)
  const dashes = Math.max(2, span - group.title.length - 2)
  const left = Math.floor(dashes / 2)
  const title = `${'-'.repeat(left)} ${group.title} ${'-'.repeat(dashes - left)}`
  return [' '.repeat(indent) + title, ...lines]
}

/**
 * The lines of the table of `status` (one row per node, then the totals).
 * `nodeName` shows a node id (the replay escapes ids read from a log).
 */
export const statusTable = (
  status: readonly NodeStatusJson[],
  nodeName: (id: string) => string = (id) => id,
): string[] => {
  const rows: string[][] = [['node', 'running', 'completed', 'algorithm', 'data', 'system']]
  const totals = [0, 0, 0, 0, 0]
  for (const node of status) {
    const x = node.job_executions
    const values = [
      x.running.total,
      x.completed.total,
      x.failed.algorithm.total,
      x.failed.data.total,
      x.failed.system.total,
    ]
    values.forEach((v, i) => (totals[i] = (totals[i] ?? 0) + v))
    rows.push([nodeName(String(node.id)), ...values.map(formatCount)])
  }
  rows.push(['total', ...totals.map(formatCount)])
  return table(rows, { title: 'failed', from: 3 })
}
