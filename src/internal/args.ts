/**
 * The one command-line parser of the demo and `replay`: a thin layer on
 * `node:util`'s `parseArgs` (run non-strict, so it never throws on what a user
 * types) that reads a declarative table of options, validates numbers against
 * their ranges and gives the first problem as one line, never an exception.
 *
 * A table maps camelCase keys to specs; the flag is the key in kebab case
 * (`killShard` is `--kill-shard`). Adding an option is one line in the table.
 */
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/Either'

/** How numbers read in human output (not in JSON). */
export const NUMBER = new Intl.NumberFormat('en-US')

/** `n` with its thousands separated: `2,000`. */
export const formatCount = (n: number): string => NUMBER.format(Math.round(n))

/** `n` and the noun, singular for exactly one: `1 node`, `2,000 nodes`. */
export const plural = (n: number, singular: string, pluralForm = `${singular}s`): string =>
  `${formatCount(n)} ${n === 1 ? singular : pluralForm}`

interface Common {
  /** The help text (continuation lines with `\n`). */
  readonly help: string
  /** What the value is called in the help (`N`, `FILE`). */
  readonly value?: string
}

/** One option of a table. */
export type OptionSpec =
  | (Common & { readonly type: 'flag'; readonly short?: string; readonly alone?: boolean })
  | (Common & { readonly type: 'integer'; readonly min: number; readonly max: number })
  | (Common & { readonly type: 'text'; readonly what?: string })
  | (Common & { readonly type: 'choice'; readonly choices: readonly string[] })

/** A table of options, by key. */
export type Options = Readonly<Record<string, OptionSpec>>

type ValueOf<S extends OptionSpec> = S extends { readonly type: 'flag' }
  ? boolean
  : S extends { readonly type: 'integer' }
    ? number
    : S extends { readonly type: 'choice'; readonly choices: ReadonlyArray<infer C> }
      ? C
      : string

/** The values given, by key (absent when not given). */
export type Values<T extends Options> = { readonly [K in keyof T]?: ValueOf<T[K]> | undefined }

/** What a command line holds. */
export interface Parsed<T extends Options> {
  readonly values: Values<T>
  readonly positionals: readonly string[]
}

/** A flag that takes no value; with `alone`, its presence wins over every other argument (`--help`). */
export const flag = (help: string, more: { readonly short?: string; readonly alone?: boolean } = {}) =>
  ({ type: 'flag', help, ...more }) as const

/** A whole number from `min` to `max`. */
export const integer = (help: string, min: number, max: number, value = 'N') =>
  ({ type: 'integer', help, min, max, value }) as const

/** Any non-empty text; `what` says what it is in the error when it is missing (`a file name`). */
export const text = (help: string, value: string, what?: string) =>
  ({ type: 'text', help, value, ...(what === undefined ? {} : { what }) }) as const

/** One of `choices`. */
export const oneOf = <const C extends readonly string[]>(help: string, choices: C, value = 'KIND') =>
  ({ type: 'choice', help, choices, value }) as const

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

const camel = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())

const checkNumber = (flagName: string, spec: { readonly min: number; readonly max: number }, raw: string) => {
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || n < spec.min) {
    return E.left(
      spec.min === 1
        ? `${flagName} must be a positive integer, got '${raw}'`
        : `${flagName} must be an integer from ${formatCount(spec.min)} to ${formatCount(spec.max)}, got '${raw}'`,
    )
  }
  return n > spec.max ? E.left(`${flagName} must be at most ${formatCount(spec.max)}, got '${raw}'`) : E.right(n)
}

const valueOf = (flagName: string, spec: OptionSpec, raw: string): E.Either<string, unknown> => {
  switch (spec.type) {
    case 'flag':
      return E.right(true)
    case 'integer':
      return checkNumber(flagName, spec, raw)
    case 'text':
      return E.right(raw)
    case 'choice':
      return spec.choices.includes(raw)
        ? E.right(raw)
        : E.left(`${flagName} must be one of ${spec.choices.join(', ')}, got '${raw}'`)
  }
}

/**
 * Parses `argv` (without `node` and the script) by the table. A `Left` is one
 * line about the first bad argument: an unknown flag, a missing or bad value,
 * a value given to a flag, a positional argument beyond `maxPositionals`.
 */
export const parse = <T extends Options>(
  table: T,
  argv: readonly string[],
  maxPositionals = 0,
): E.Either<string, Parsed<T>> => {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {}
  for (const [key, spec] of Object.entries(table)) {
    config[kebab(key)] =
      spec.type === 'flag'
        ? { type: 'boolean', ...(spec.short === undefined ? {} : { short: spec.short }) }
        : { type: 'string' }
  }
  const { tokens } = parseArgs({
    args: [...argv],
    options: config,
    strict: false,
    allowPositionals: true,
    tokens: true,
  })
  for (const token of tokens) {
    if (token.kind !== 'option') continue
    const spec = table[camel(token.name)]
    if (spec?.type === 'flag' && spec.alone === true && token.value === undefined) {
      return E.right({ values: { [camel(token.name)]: true } as Values<T>, positionals: [] })
    }
  }
  const values: Record<string, unknown> = {}
  const positionals: string[] = []
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue
    if (token.kind === 'positional') {
      if (positionals.length >= maxPositionals) return E.left(`unexpected argument '${token.value}'`)
      positionals.push(token.value)
      continue
    }
    const key = camel(token.name)
    const spec = Object.hasOwn(table, key) && kebab(key) === token.name ? table[key] : undefined
    if (spec === undefined) return E.left(`unknown flag '${token.rawName}'`)
    if (spec.type === 'flag') {
      if (token.value !== undefined)
        return E.left(`${token.rawName} takes no value, got '${token.rawName}=${token.value}'`)
      values[key] = true
      continue
    }
    // `--nodes --jobs 5`: the next flag is not the value of `--nodes`.
    const raw = token.inlineValue === false && token.value?.startsWith('--') === true ? undefined : token.value
    if (raw === undefined || raw === '') {
      return E.left(
        `${token.rawName} needs a value${spec.type === 'text' && spec.what !== undefined ? ` (${spec.what})` : ''}`,
      )
    }
    const value = valueOf(token.rawName, spec, raw)
    if (E.isLeft(value)) return value
    values[key] = value.right
  }
  return E.right({ values: values as Values<T>, positionals })
}

/** The options' help lines, aligned (their first column at least `width` wide): `  --nodes N        number of nodes ...`. */
export const usage = (table: Options, minWidth = 0): string => {
  const names = Object.entries(table).map(([key, spec]) =>
    spec.type === 'flag'
      ? `--${kebab(key)}${spec.short === undefined ? '' : `, -${spec.short}`}`
      : `--${kebab(key)}${spec.value === undefined ? '' : ` ${spec.value}`}`,
  )
  const width = Math.max(minWidth, ...names.map((n) => n.length + 2))
  return Object.values(table)
    .map((spec, i) =>
      spec.help
        .split('\n')
        .map((line, j) => `  ${(j === 0 ? (names[i] ?? '') : '').padEnd(width)} ${line}`.trimEnd())
        .join('\n'),
    )
    .join('\n')
}
