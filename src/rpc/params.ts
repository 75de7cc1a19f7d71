/**
 * Parameter validation for JSON-RPC methods: small composable validators that
 * turn untrusted JSON into typed values (bigint quantities, byte arrays,
 * block selectors) or throw `InvalidParamsError` naming the offending
 * parameter. Each method file declares its positional params with these, so
 * wrong params always get -32602 with a precise message and never reach a
 * handler.
 */
import { InvalidParamsError } from './errors.js'
import { hexToBigInt, hexToBytes } from '../primitives/hex.js'
import { DecodeError } from '../primitives/errors.js'

/** Parses one JSON value; `path` names it in error messages (e.g. `params[0].to`). */
export type Validator<T> = (value: unknown, path: string) => T

/** A validator for the positional params array; produces the handler's typed tuple. */
export type ParamsValidator<P> = (params: readonly unknown[]) => P

/** Maps a tuple of validators to the tuple of their outputs. */
export type Outputs<V extends readonly Validator<unknown>[]> = { [K in keyof V]: V[K] extends Validator<infer T> ? T : never }

/** Marks a validator as optional (absent or null → undefined); trailing optional params may be omitted. */
export interface OptionalValidator<T> extends Validator<T | undefined> {
  optional: true
}

const U256_MAX = (1n << 256n) - 1n
const U64_MAX = (1n << 64n) - 1n

function fail(path: string, what: string, value: unknown): never {
  throw new InvalidParamsError(`invalid ${path}: ${what}, got ${describe(value)}`)
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 48 ? v.slice(0, 40) + '…' : v)
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? 'an object' : String(v)
}

/** A hex quantity (EIP-1474: `0x`, no leading zeros) up to 2^256-1. */
export const quantity: Validator<bigint> = (v, path) => quantityBounded(v, path, U256_MAX, 'a hex quantity')

/** A hex quantity that fits in u64 (nonces, gas, block numbers). */
export const quantityU64: Validator<bigint> = (v, path) => quantityBounded(v, path, U64_MAX, 'a hex quantity below 2^64')

function quantityBounded(v: unknown, path: string, max: bigint, what: string): bigint {
  if (typeof v !== 'string') fail(path, `expected ${what}`, v)
  let n: bigint
  try {
    n = hexToBigInt(v, true)
  } catch (e) {
    if (e instanceof DecodeError) fail(path, e.message, v)
    throw e
  }
  if (n > max) fail(path, `expected ${what}`, v)
  return n
}

/** A hex quantity that fits in a JS safe integer (indexes, counts, timeouts). Lenient about leading zeros. */
export const quantityNumber: Validator<number> = (v, path) => {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v
  if (typeof v !== 'string') fail(path, 'expected a hex quantity', v)
  let n: bigint
  try {
    n = hexToBigInt(v, false)
  } catch (e) {
    if (e instanceof DecodeError) fail(path, e.message, v)
    throw e
  }
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) fail(path, 'quantity too large', v)
  return Number(n)
}

/** `0x` hex bytes of any even length. */
export const data: Validator<Uint8Array> = (v, path) => bytesOf(v, path, undefined)

/** Exactly `size` bytes of `0x` hex. */
export function fixedBytes(size: number): Validator<Uint8Array> {
  return (v, path) => bytesOf(v, path, size)
}

function bytesOf(v: unknown, path: string, size: number | undefined): Uint8Array {
  if (typeof v !== 'string') fail(path, size === undefined ? 'expected 0x-prefixed hex data' : `expected ${size} bytes of 0x-prefixed hex`, v)
  try {
    return hexToBytes(v, size)
  } catch (e) {
    if (e instanceof DecodeError) fail(path, e.message, v)
    throw e
  }
}

/** A 20-byte address (any letter case; the checksum is not enforced, as in geth). */
export const address: Validator<Uint8Array> = fixedBytes(20)
/** A 32-byte hash. */
export const hash32: Validator<Uint8Array> = fixedBytes(32)

/** A storage slot: a 32-byte word, also accepted as a shorter quantity (geth accepts both). */
export const storageSlot: Validator<bigint> = (v, path) => {
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(v)) fail(path, 'expected a storage slot (up to 32 bytes of hex)', v)
  return BigInt(v)
}

/** A JSON boolean. */
export const bool: Validator<boolean> = (v, path) => {
  if (typeof v !== 'boolean') fail(path, 'expected a boolean', v)
  return v
}

/** A JSON string up to `max` characters. */
export function string(max = 1024): Validator<string> {
  return (v, path) => {
    if (typeof v !== 'string') fail(path, 'expected a string', v)
    if (v.length > max) fail(path, `string longer than ${max} characters`, v)
    return v
  }
}

/** A JSON number that is a non-negative safe integer, or a hex quantity. */
export const integer: Validator<number> = quantityNumber

/** Any JSON value, passed through (the handler validates it further). */
export const json: Validator<unknown> = (v) => v

/** Make a validator optional: undefined or null become undefined. */
export function optional<T>(inner: Validator<T>): OptionalValidator<T> {
  const f = ((v: unknown, path: string) => (v === undefined || v === null ? undefined : inner(v, path))) as OptionalValidator<T>
  f.optional = true
  return f
}

/** An array of items, at most `max` long. */
export function arrayOf<T>(item: Validator<T>, max = 10_000): Validator<T[]> {
  return (v, path) => {
    if (!Array.isArray(v)) fail(path, 'expected an array', v)
    if (v.length > max) fail(path, `array longer than ${max}`, v)
    return v.map((x, i) => item(x, `${path}[${i}]`))
  }
}

/** One of the listed string literals. */
export function oneOf<const S extends string>(...values: S[]): Validator<S> {
  return (v, path) => {
    if (typeof v !== 'string' || !(values as string[]).includes(v)) fail(path, `expected one of ${values.join(', ')}`, v)
    return v as S
  }
}

/** A JSON object (not null, not an array). */
export function plainObject(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'expected an object', v)
  return v as Record<string, unknown>
}

/**
 * An object with known fields. Unknown keys are rejected unless `allowUnknown`
 * (clients add fields such as `chainId`, `type`, `blobs` we may ignore).
 */
export function objectOf<S extends Record<string, Validator<unknown>>>(
  shape: S,
  opts: { allowUnknown?: boolean } = {},
): Validator<{ [K in keyof S]: S[K] extends Validator<infer T> ? T : never }> {
  return (v, path) => {
    const o = plainObject(v, path)
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(shape)) out[key] = shape[key]!(o[key], `${path}.${key}`)
    if (!opts.allowUnknown) for (const key of Object.keys(o)) if (!(key in shape)) fail(path, `unknown field ${JSON.stringify(key.slice(0, 40))}`, v)
    return out as { [K in keyof S]: S[K] extends Validator<infer T> ? T : never }
  }
}

/**
 * Positional params: checks the count (required ≤ n ≤ all) and validates each.
 * Named params (an object) are rejected: every Ethereum method is positional.
 */
export function params<const V extends readonly Validator<unknown>[]>(...validators: V): ParamsValidator<Outputs<V>> {
  let required = validators.length
  while (required > 0 && (validators[required - 1] as Partial<OptionalValidator<unknown>>).optional) required--
  return (ps) => {
    if (ps.length > validators.length) throw new InvalidParamsError(`too many arguments, want at most ${validators.length}`)
    if (ps.length < required) throw new InvalidParamsError(`missing value for required argument ${ps.length}`)
    return validators.map((v, i) => v(ps[i], `params[${i}]`)) as Outputs<V>
  }
}
