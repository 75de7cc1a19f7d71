/**
 * EIP-712 typed structured data hashing (the hash behind
 * eth_signTypedData_v4): encodeType with referenced structs sorted by name,
 * typeHash, encodeData for atomic types, strings, bytes, nested structs and
 * (fixed or dynamic, nested) arrays, the EIP712Domain separator, and the
 * final keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message)). Values are
 * range-checked; bad input throws `TypedDataError`. Checked against viem's
 * hashTypedData in test/rpc/signing.test.ts.
 */
import { keccak256 } from '../../crypto/keccak.js'
import { concatBytes, bigIntToBytes } from '../../primitives/bytes.js'
import { hexToBytes } from '../../primitives/hex.js'
import { DecodeError } from '../../primitives/errors.js'

/** One field of a struct type. */
export interface TypedDataField {
  name: string
  type: string
}

/** The eth_signTypedData_v4 payload. */
export interface TypedData {
  types: Record<string, TypedDataField[]>
  primaryType: string
  domain: Record<string, unknown>
  message: Record<string, unknown>
}

/** Malformed typed data (unknown type, out-of-range value, cycle…). */
export class TypedDataError extends DecodeError {
  override name = 'TypedDataError'
}

const DOMAIN_FIELDS: TypedDataField[] = [
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
  { name: 'salt', type: 'bytes32' },
]

/** Parse and shape-check a typed-data payload (object or JSON string). */
export function parseTypedData(input: unknown): TypedData {
  let v = input
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v)
    } catch {
      throw new TypedDataError('typed data is not valid JSON')
    }
  }
  if (typeof v !== 'object' || v === null) throw new TypedDataError('typed data must be an object')
  const o = v as Record<string, unknown>
  if (typeof o.types !== 'object' || o.types === null) throw new TypedDataError('typed data: missing types')
  if (typeof o.primaryType !== 'string') throw new TypedDataError('typed data: missing primaryType')
  const types: Record<string, TypedDataField[]> = {}
  for (const [name, fields] of Object.entries(o.types as Record<string, unknown>)) {
    if (!Array.isArray(fields)) throw new TypedDataError(`typed data: type ${name} must be an array of fields`)
    types[name] = fields.map((f: unknown) => {
      const ff = f as Record<string, unknown>
      if (typeof ff?.name !== 'string' || typeof ff?.type !== 'string') throw new TypedDataError(`typed data: bad field in type ${name}`)
      return { name: ff.name, type: ff.type }
    })
  }
  const domain = (o.domain ?? {}) as Record<string, unknown>
  const message = (o.message ?? {}) as Record<string, unknown>
  if (typeof domain !== 'object' || typeof message !== 'object') throw new TypedDataError('typed data: domain and message must be objects')
  return { types, primaryType: o.primaryType, domain, message }
}

/** The types with EIP712Domain filled in from the domain's fields when the payload omits it (as viem does). */
function withDomainType(td: TypedData): Record<string, TypedDataField[]> {
  if (td.types.EIP712Domain !== undefined) return td.types
  return { ...td.types, EIP712Domain: DOMAIN_FIELDS.filter((f) => td.domain[f.name] !== undefined && td.domain[f.name] !== null) }
}

function baseType(type: string): string {
  const i = type.indexOf('[')
  return i < 0 ? type : type.slice(0, i)
}

/** The struct types `primary` references, transitively (including itself). */
function dependencies(primary: string, types: Record<string, TypedDataField[]>, found: Set<string> = new Set()): Set<string> {
  const base = baseType(primary)
  if (found.has(base) || types[base] === undefined) return found
  found.add(base)
  for (const f of types[base]) dependencies(f.type, types, found)
  return found
}

/** encodeType: `Primary(fields)` followed by the referenced structs sorted by name. */
export function encodeType(primary: string, types: Record<string, TypedDataField[]>): string {
  const deps = dependencies(primary, types)
  deps.delete(primary)
  const order = [primary, ...[...deps].sort()]
  return order.map((t) => `${t}(${types[t]!.map((f) => `${f.type} ${f.name}`).join(',')})`).join('')
}

/** keccak256(encodeType). */
export function typeHash(primary: string, types: Record<string, TypedDataField[]>): Uint8Array {
  return keccak256(new TextEncoder().encode(encodeType(primary, types)))
}

function toBigInt(v: unknown, what: string): bigint {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new TypedDataError(`${what}: ${v} is not a safe integer`)
    return BigInt(v)
  }
  if (typeof v === 'string' && /^-?(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) {
    return v.startsWith('-') ? -BigInt(v.slice(1)) : BigInt(v)
  }
  throw new TypedDataError(`${what}: expected an integer, got ${JSON.stringify(v)?.slice(0, 40)}`)
}

function bytesOf(v: unknown, what: string): Uint8Array {
  if (v instanceof Uint8Array) return v
  if (typeof v === 'string') return hexToBytes(v)
  throw new TypedDataError(`${what}: expected hex bytes`)
}

/** The 32-byte encoding of one value of `type`. */
function encodeValue(type: string, v: unknown, types: Record<string, TypedDataField[]>, what: string): Uint8Array {
  if (types[type] !== undefined) {
    if (typeof v !== 'object' || v === null) throw new TypedDataError(`${what}: expected a ${type} object`)
    return hashStruct(type, v as Record<string, unknown>, types)
  }
  const arr = /^(.*)\[(\d*)\]$/.exec(type)
  if (arr !== null) {
    if (!Array.isArray(v)) throw new TypedDataError(`${what}: expected an array`)
    if (arr[2] !== '' && v.length !== Number(arr[2])) throw new TypedDataError(`${what}: expected ${arr[2]} items, got ${v.length}`)
    return keccak256(concatBytes(...v.map((x: unknown, i: number) => encodeValue(arr[1]!, x, types, `${what}[${i}]`))))
  }
  if (type === 'string') {
    if (typeof v !== 'string') throw new TypedDataError(`${what}: expected a string`)
    return keccak256(new TextEncoder().encode(v))
  }
  if (type === 'bytes') return keccak256(bytesOf(v, what))
  if (type === 'bool') {
    if (typeof v !== 'boolean' && v !== 'true' && v !== 'false') throw new TypedDataError(`${what}: expected a boolean`)
    return bigIntToBytes(v === true || v === 'true' ? 1n : 0n, 32)
  }
  if (type === 'address') {
    const b = bytesOf(v, what)
    if (b.length !== 20) throw new TypedDataError(`${what}: expected a 20-byte address`)
    return concatBytes(new Uint8Array(12), b)
  }
  let m = /^bytes(\d+)$/.exec(type)
  if (m !== null) {
    const n = Number(m[1])
    if (n < 1 || n > 32) throw new TypedDataError(`unknown type ${type}`)
    const b = bytesOf(v, what)
    if (b.length !== n) throw new TypedDataError(`${what}: expected ${n} bytes, got ${b.length}`)
    const out = new Uint8Array(32)
    out.set(b)
    return out
  }
  m = /^(u?)int(\d*)$/.exec(type)
  if (m !== null) {
    const bits = m[2] === '' ? 256 : Number(m[2])
    if (bits < 8 || bits > 256 || bits % 8 !== 0) throw new TypedDataError(`unknown type ${type}`)
    const x = toBigInt(v, what)
    if (m[1] === 'u') {
      if (x < 0n || x >= 1n << BigInt(bits)) throw new TypedDataError(`${what}: ${x} out of range for ${type}`)
      return bigIntToBytes(x, 32)
    }
    const lim = 1n << BigInt(bits - 1)
    if (x < -lim || x >= lim) throw new TypedDataError(`${what}: ${x} out of range for ${type}`)
    return bigIntToBytes(x < 0n ? (1n << 256n) + x : x, 32)
  }
  throw new TypedDataError(`unknown type ${type}`)
}

/** hashStruct(s) = keccak256(typeHash ‖ encodeData(s)). */
export function hashStruct(primary: string, value: Record<string, unknown>, types: Record<string, TypedDataField[]>): Uint8Array {
  const fields = types[primary]
  if (fields === undefined) throw new TypedDataError(`unknown struct type ${primary}`)
  const parts = [typeHash(primary, types)]
  for (const f of fields) parts.push(encodeValue(f.type, value[f.name], types, `${primary}.${f.name}`))
  return keccak256(concatBytes(...parts))
}

/** The domain separator: hashStruct(EIP712Domain, domain). */
export function domainSeparator(td: TypedData): Uint8Array {
  return hashStruct('EIP712Domain', td.domain, withDomainType(td))
}

/** The digest an eth_signTypedData_v4 signature signs. */
export function hashTypedData(td: TypedData): Uint8Array {
  const types = withDomainType(td)
  if (types[td.primaryType] === undefined) throw new TypedDataError(`primaryType ${td.primaryType} is not defined in types`)
  const parts = [Uint8Array.of(0x19, 0x01), hashStruct('EIP712Domain', td.domain, types)]
  if (td.primaryType !== 'EIP712Domain') parts.push(hashStruct(td.primaryType, td.message, types))
  return keccak256(concatBytes(...parts))
}
