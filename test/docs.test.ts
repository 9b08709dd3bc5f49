/**
 * The guides' code, checked against the source.
 *
 * In every `docs/*.md`:
 * - the first ```ts block, when the line before it (blank lines aside) is
 *   `<!-- runnable -->`, is type-checked and run: it must throw when what it
 *   shows goes wrong;
 * - any ```ts block marked `<!-- typecheck -->` is type-checked only.
 *
 * `docs/host-loop.md` must have a runnable block.
 *
 * The TSDoc `@example` of every export in `src/` is type-checked the same way:
 * its ```ts blocks, or, without a fence, its whole text (as TypeDoc shows it). Each block is written to
 * `test/.generated/` (gitignored) and imports the package by name:
 * `job-execution-core` resolves to `src/` through the aliases of
 * `vitest.config.ts` when run, and through `paths` when type-checked.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const docsDir = join(root, 'docs')
const generatedDir = join(root, 'test', '.generated')

const RUNNABLE = '<!-- runnable -->'
const TYPECHECK = '<!-- typecheck -->'

interface Block {
  /** The doc, relative to the project root. */
  readonly doc: string
  /** The doc's line just before the block's first code line (1-based). */
  readonly offset: number
  readonly code: string
  readonly run: boolean
  readonly file: string
}

const blocksOf = (name: string): Block[] => {
  const lines = readFileSync(join(docsDir, name), 'utf8').split('\n')
  const blocks: Block[] = []
  let seenTs = false
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(`{3,})\s*(\S*)/.exec(lines[i] ?? '')
    if (fence === null) continue
    const [, ticks = '```', lang = ''] = fence
    let end = i + 1
    while (end < lines.length && (lines[end] ?? '').trim() !== ticks) end++
    const isTs = lang === 'ts' || lang === 'typescript'
    if (isTs) {
      let before = i - 1
      while (before >= 0 && (lines[before] ?? '').trim() === '') before--
      const marker = (lines[before] ?? '').trim()
      const run = marker === RUNNABLE && !seenTs
      if (run || marker === TYPECHECK) {
        const base = name.replace(/\.md$/, '')
        blocks.push({
          doc: `docs/${name}`,
          offset: i + 1,
          code: lines.slice(i + 1, end).join('\n'),
          run,
          file: join(generatedDir, `${base}.block-${i + 2}.ts`),
        })
      }
      seenTs = true
    }
    i = end
  }
  return blocks
}

const docs = existsSync(docsDir)
  ? readdirSync(docsDir)
      .filter((f) => f.endsWith('.md'))
      .sort()
  : []
const guideBlocks = docs.flatMap(blocksOf)

const sourcesOf = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? sourcesOf(join(dir, entry.name))
        : entry.name.endsWith('.ts')
          ? [join(dir, entry.name)]
          : [],
    )
    .sort()

const TAG = /^@[a-zA-Z]+/

// The text of each `@example` tag: its comment lines, leading ` * ` cut, up to
// the next tag or the end of the comment.
const examplesOf = (path: string): Block[] => {
  const lines = readFileSync(path, 'utf8').split('\n')
  const source = path.slice(root.length + 1)
  const examples: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\* @example\s*$/.test(lines[i] ?? '')) continue
    const body: Array<{ readonly line: number; readonly text: string }> = []
    let j = i + 1
    for (; j < lines.length; j++) {
      const line = lines[j] ?? ''
      if (/^\s*\*\//.test(line)) break
      const text = line.replace(/^\s*\* ?/, '')
      if (TAG.test(text)) break
      body.push({ line: j, text })
    }
    const fenced: Array<{ readonly line: number; readonly code: string }> = []
    for (let k = 0; k < body.length; k++) {
      const fence = /^```(\S*)/.exec(body[k]?.text ?? '')
      if (fence === null) continue
      let end = k + 1
      while (end < body.length && (body[end]?.text ?? '').trim() !== '```') end++
      if (fence[1] === 'ts' || fence[1] === 'typescript') {
        fenced.push({
          line: body[k]?.line ?? i,
          code: body
            .slice(k + 1, end)
            .map((b) => b.text)
            .join('\n'),
        })
      }
      k = end
    }
    const codes =
      fenced.length > 0 || body.some((b) => b.text.startsWith('```'))
        ? fenced
        : [{ line: i, code: body.map((b) => b.text).join('\n') }]
    for (const { line, code } of codes) {
      const name = source.replace(/[/\\]/g, '_').replace(/\.ts$/, '')
      examples.push({
        doc: source,
        offset: line + 1,
        code,
        run: false,
        file: join(generatedDir, `${name}.example-${line + 2}.ts`),
      })
    }
    i = j - 1
  }
  return examples
}

const exampleBlocks = sourcesOf(join(root, 'src')).flatMap(examplesOf)
const blocks = [...guideBlocks, ...exampleBlocks]

rmSync(generatedDir, { recursive: true, force: true })
mkdirSync(generatedDir, { recursive: true })
for (const block of blocks) {
  // `export {}` keeps each block a module of its own, whatever it imports.
  writeFileSync(block.file, `${block.code}\nexport {}\n`)
}

const typeErrors = (files: readonly string[]): string[] => {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), (path) => ts.sys.readFile(path))
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root)
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    // Fragments may declare what they only illustrate.
    noUnusedLocals: false,
    noUnusedParameters: false,
    paths: {
      'job-execution-core': [join(root, 'src', 'index.ts')],
      'job-execution-core/testing': [join(root, 'src', 'testing.ts')],
      'job-execution-core/postgres': [join(root, 'src', 'postgres', 'index.ts')],
    },
  }
  const program = ts.createProgram([...files], options)
  const ours = new Set(files.map((f) => resolve(f)))
  const byFile = new Map(blocks.map((b) => [resolve(b.file), b]))
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || ours.has(resolve(d.file.fileName)))
    .map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n')
      if (d.file === undefined || d.start === undefined) return `TS${d.code}: ${message}`
      const block = byFile.get(resolve(d.file.fileName))
      const { line } = d.file.getLineAndCharacterOfPosition(d.start)
      return `${block?.doc ?? d.file.fileName}:${(block?.offset ?? 0) + line + 1}: TS${d.code}: ${message}`
    })
}

describe('the guides', () => {
  it('docs/host-loop.md has a runnable block', () => {
    expect(blocks.some((b) => b.doc === 'docs/host-loop.md' && b.run)).toBe(true)
  })

  it('every runnable or typecheck block type-checks against src', () => {
    expect(typeErrors(guideBlocks.map((b) => b.file))).toEqual([])
  })

  for (const block of guideBlocks.filter((b) => b.run)) {
    it(`${block.doc} (line ${block.offset + 1}) runs`, async () => {
      await import(/* @vite-ignore */ block.file)
    })
  }
})

describe('the TSDoc examples of src/', () => {
  it('are found', () => {
    expect(exampleBlocks.length).toBeGreaterThan(50)
  })

  it('every one type-checks against src', () => {
    expect(typeErrors(exampleBlocks.map((b) => b.file))).toEqual([])
  })
})
