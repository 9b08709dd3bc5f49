/**
 * Shared helpers for the io-ts codecs at the library's boundaries.
 *
 * @internal
 * @module
 */
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { droppedProto, plain, PROTO } from './plainData'

/**
 * One thing wrong with a decoded value: where it is (a dotted path, `<root>` for
 * the value itself), and what is wrong there.
 *
 * @category model
 * @since 0.1.0
 */
export interface Problem {
  readonly path: string
  readonly message: string
}

const isTransparent = (type: t.Decoder<unknown, unknown>): boolean =>
  type instanceof t.IntersectionType ||
  type instanceof t.UnionType ||
  type instanceof t.RefinementType ||
  type instanceof t.ExactType ||
  type instanceof t.ReadonlyType ||
  type instanceof t.ReadonlyArrayType

const pathOf = (context: t.Context): string => {
  const keys: string[] = []
  for (let i = 1; i < context.length; i++) {
    const parent = context[i - 1]
    const entry = context[i]
    if (parent === undefined || entry === undefined) continue
    if (isTransparent(parent.type) && !(parent.type instanceof t.ReadonlyArrayType)) continue
    if (entry.key === '') continue
    keys.push(entry.key)
  }
  return keys.length === 0 ? '<root>' : keys.join('.')
}

/**
 * A value as a problem message shows it: its JSON cut at 60 characters, with
 * the numbers JSON has no text for (NaN, Infinity) named as such.
 */
export const describe = (value: unknown): string => {
  if (value === undefined) return 'nothing'
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  try {
    const json = JSON.stringify(value)
    if (json === undefined) return typeof value
    return json.length > 60 ? `${json.slice(0, 57)}...` : json
  } catch {
    return typeof value
  }
}

// The library's own refinements, in the words of the domain.
const NAMED: Readonly<Record<string, string>> = {
  Integer: 'an integer',
  FiniteNumber: 'a finite number',
  NonNegativeInteger: 'a non-negative integer',
  PositiveCount: 'a positive integer',
  Value: 'an object with a string "value"',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  unknown: 'a value',
  null: 'null',
  undefined: 'nothing',
}

/**
 * What a codec expects, said plainly rather than by its io-ts name: `one of
 * A, B` for a key set, `an object` for an interface, `a list` for an array,
 * each member for a union, `x or nothing` for an optional field.
 */
export const expectedOf = (type: t.Decoder<unknown, unknown>, depth = 0): string => {
  if (Object.prototype.hasOwnProperty.call(NAMED, type.name)) return NAMED[type.name] ?? type.name
  if (depth > 3) return type.name
  if (type instanceof Optional) return `${expectedOf(type.inner as t.Decoder<unknown, unknown>, depth + 1)} or nothing`
  if (type instanceof t.KeyofType) {
    const keys = Object.keys(type.keys as object)
    return keys.length < 2
      ? `${keys.join('')}`
      : `one of ${keys.slice(0, -1).join(', ')} or ${keys[keys.length - 1] ?? ''}`
  }
  if (type instanceof t.LiteralType) return JSON.stringify(type.value) ?? type.name
  if (type instanceof t.UnionType) {
    const members = (type.types as ReadonlyArray<t.Decoder<unknown, unknown>>).map((m) => expectedOf(m, depth + 1))
    return [...new Set(members)].join(' or ')
  }
  if (type instanceof t.ArrayType || type instanceof t.ReadonlyArrayType || type instanceof t.TupleType) return 'a list'
  if (
    type instanceof t.InterfaceType ||
    type instanceof t.PartialType ||
    type instanceof t.IntersectionType ||
    type instanceof t.ExactType ||
    type instanceof t.DictionaryType
  ) {
    return 'an object'
  }
  if (type instanceof t.RefinementType) return expectedOf(type.type as t.Decoder<unknown, unknown>, depth + 1)
  return type.name
}

/**
 * Turns io-ts errors into a readable list of problems, one per path (members of
 * an intersection or union that fail on the same value say the same thing).
 */
export const problemsOf = (errors: t.Errors): readonly Problem[] => {
  const seen = new Set<string>()
  const problems: Problem[] = []
  for (const error of errors) {
    const path = pathOf(error.context)
    if (seen.has(path)) continue
    seen.add(path)
    const last = error.context[error.context.length - 1]
    const message =
      error.message ??
      `expected ${last === undefined ? 'a value' : expectedOf(last.type)}, got ${describe(error.value)}`
    problems.push({ path, message })
  }
  return problems
}

/** Renders problems as one line each: `path: message`. */
export const render = (problems: readonly Problem[]): string =>
  problems.map((p) => `${p.path}: ${p.message}`).join('\n')

/**
 * A codec that also refuses keys its props do not name, reporting each extra
 * key by path (io-ts' `exact` would silently strip them).
 */
export const noExtraKeys = <C extends t.Mixed>(
  codec: C,
  allowed: readonly string[],
  name: string,
): t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown> => {
  const allowedSet = new Set(allowed)
  return new t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown>(
    name,
    codec.is,
    (input, context) => {
      const extra: t.ValidationError[] = []
      if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
        if (droppedProto.has(input)) {
          extra.push({
            value: droppedProto.get(input),
            context: [...context, { key: PROTO, type: t.never, actual: input }],
            message: `unexpected key '${PROTO}'`,
          })
        }
        for (const key of Object.keys(input)) {
          if (!allowedSet.has(key)) {
            extra.push({
              value: (input as Record<string, unknown>)[key],
              context: [...context, { key, type: t.never, actual: input }],
              message: `unexpected key '${key}'`,
            })
          }
        }
      }
      // An entry with an empty key stands for the inner codec, so that paths
      // skip it and its intersection members as they skip any other wrapper.
      const inner = codec.validate(input, [...context, { key: '', type: codec, actual: input }])
      if (E.isLeft(inner)) return t.failures([...inner.left, ...extra])
      return extra.length > 0 ? t.failures(extra) : inner
    },
    codec.encode,
  )
}

/** A value that may be absent, `undefined` or `null` in JSON; decodes to `undefined` when not there. */
export const optional = <C extends t.Mixed>(codec: C) => new Optional<C>(codec)

/** The codec of {@link optional}: it keeps its inner codec, so that problems can say what was expected. */
class Optional<C extends t.Mixed> extends t.Type<t.TypeOf<C> | undefined, t.OutputOf<C> | undefined, unknown> {
  constructor(readonly inner: C) {
    super(
      `${inner.name} | undefined`,
      (u): u is t.TypeOf<C> | undefined => u === undefined || inner.is(u),
      (input, context) =>
        input === undefined || input === null ? t.success(undefined) : inner.validate(input, context),
      (a) => (a === undefined ? undefined : (inner.encode(a) as t.OutputOf<C>)),
    )
  }
}

/** The inner codec of an {@link optional} codec, or `undefined` for any other codec. */
export const optionalInner = (codec: t.Decoder<unknown, unknown>): t.Mixed | undefined =>
  codec instanceof Optional ? (codec.inner as t.Mixed) : undefined

/**
 * A boundary codec: `codec` reading only plain data (see `plainData`). Its
 * input is checked in one walk and, when it holds an own `__proto__` key or an
 * object of a foreign prototype, decoded as a plain copy; so no decoded object
 * has a prototype other than `Object.prototype` (or `null`), and every field
 * was validated. A decoder that throws anyway (a getter or proxy a caller
 * passed, nesting deeper than the stack) is a failure, never an exception.
 */
export const boundary = <A, O>(codec: t.Type<A, O, unknown>, name: string = codec.name): t.Type<A, O, unknown> =>
  new Boundary(name, codec)

// Whether a boundary further out has made this value plain already.
const insideBoundary = (context: t.Context): boolean => {
  for (let i = 0; i < context.length - 1; i++) if (context[i]?.type instanceof Boundary) return true
  return false
}

class Boundary<A, O> extends t.Type<A, O, unknown> {
  constructor(name: string, codec: t.Type<A, O, unknown>) {
    super(
      name,
      codec.is,
      (input, context) => {
        try {
          // A wrapper inside stands in this entry, so that paths skip it as
          // usual (an intersection's member indices are no keys).
          const last = context[context.length - 1]
          const inner =
            last === undefined || !isTransparent(codec) ? context : [...context.slice(0, -1), { ...last, type: codec }]
          return codec.validate(insideBoundary(context) ? input : plain(input), inner)
        } catch (error) {
          const reason = error instanceof Error ? error.message : 'unreadable'
          return t.failure(input, context, `could not be read (${reason})`)
        }
      },
      codec.encode,
    )
  }
}

export { PROTO }

/** A finite number. */
export const FiniteNumber = t.refinement(t.number, Number.isFinite, 'FiniteNumber')

/** An integer (a safe one). */
export const Integer = t.refinement(t.number, Number.isSafeInteger, 'Integer')

/** A non-negative safe integer. */
export const NonNegativeInteger = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'NonNegativeInteger')
