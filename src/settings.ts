/**
 * The thresholds of task timeouts, reconciliation and starvation, and the
 * lost-task retry bound: defaults reproduce Scale; a host changes any of them
 * without forking the library.
 *
 * Re-exported by the `Execution` namespace as `DEFAULT_SETTINGS`,
 * `decodeSettings` and the types `Settings` and `InvalidSettings`.
 *
 * @since 0.1.0
 * @module
 */
import * as E from 'fp-ts/Either'
import { problemsOf } from './internal/decode'
import { invalidError } from './internal/invalid'
import * as t from 'io-ts'
import { boundary, NonNegativeInteger, noExtraKeys } from './internal/decode'
import { DURATION_SETTINGS, OPTIONAL_SETTINGS, type SettingsShape } from './internal/records'

const MINUTE = 60_000

/**
 * The settings of an execution, all durations in milliseconds.
 *
 * @category model
 * @since 0.1.0
 */
export interface Settings extends Readonly<t.TypeOf<typeof SettingsShape>> {}

/**
 * The defaults, Scale's values. `maxLostRetries` is absent: unbounded.
 *
 * @example
 * import { Execution } from 'job-execution-core'
 * Execution.DEFAULT_SETTINGS.stagingTimeout // 120000
 *
 * @category constants
 * @since 0.1.0
 */
export const DEFAULT_SETTINGS: Settings = Object.freeze({
  stagingTimeout: 2 * MINUTE,
  pullTimeout: 30 * MINUTE,
  preTimeout: 60 * MINUTE,
  postTimeout: 60 * MINUTE,
  stagingReconcileDelay: 30_000,
  runningReconcileDelay: 10 * MINUTE,
  starvationDelay: 10 * MINUTE,
})

const SETTING_PROPS = { ...DURATION_SETTINGS, ...OPTIONAL_SETTINGS }

const SETTING_KEYS = Object.keys(SETTING_PROPS) as ReadonlyArray<keyof typeof SETTING_PROPS>

// From outside, every setting may be omitted (it takes its default) and none
// may be null.
const SettingsCodec = boundary(
  noExtraKeys(
    t.partial(
      Object.fromEntries(SETTING_KEYS.map((k) => [k, NonNegativeInteger])) as Record<
        (typeof SETTING_KEYS)[number],
        typeof NonNegativeInteger
      >,
    ),
    SETTING_KEYS,
    'Settings',
  ),
)

/**
 * Why settings from outside were refused: every bad key, with what is wrong.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidSettings extends invalidError('InvalidSettings', 'settings') {}

// Settings that already hold every threshold are used as they are, so that
// executions created with the same settings share them.
const isComplete = (settings: Partial<Settings>): settings is Settings =>
  SETTING_KEYS.every((key) => key === 'maxLostRetries' || settings[key] !== undefined)

/**
 * The complete settings for a partial record: omitted keys take the defaults.
 *
 * @example
 * import { Execution } from 'job-execution-core'
 * Execution.withDefaults({ stagingTimeout: 5_000 }).pullTimeout // 1800000
 *
 * @category constructors
 * @since 0.1.0
 */
export const withDefaults = (settings?: Partial<Settings>): Settings => {
  if (settings === undefined) return DEFAULT_SETTINGS
  if (isComplete(settings)) return settings
  const merged: { -readonly [K in keyof Settings]: Settings[K] } = { ...DEFAULT_SETTINGS }
  for (const key of SETTING_KEYS) {
    const value = settings[key]
    if (value !== undefined) merged[key] = value
  }
  return merged
}

/**
 * Decodes settings that come from outside (a configuration file). Every key must
 * be a known setting holding a non-negative integer; each one that is not is
 * named in the `Left`. Nothing is silently replaced by a default: omitted keys
 * take the defaults, wrong ones are refused.
 *
 * @example
 * import { Execution } from 'job-execution-core'
 * import * as E from 'fp-ts/Either'
 * Execution.decodeSettings({ stagingTimeout: 60000 }) // E.right({ ...DEFAULT_SETTINGS, stagingTimeout: 60000 })
 * E.isLeft(Execution.decodeSettings({ pullTimeout: -1, preTimeout: 1.5 })) // true, naming both keys
 *
 * @category decoding
 * @since 0.1.0
 */
export const decodeSettings = (json: unknown): E.Either<InvalidSettings, Settings> => {
  const decoded = SettingsCodec.decode(json)
  if (E.isLeft(decoded)) return E.left(new InvalidSettings(problemsOf(decoded.left)))
  return E.right(withDefaults(decoded.right))
}
