/**
 * In-memory Merkle-Patricia trie roots (Ethereum yellow paper, appendix D).
 *
 * Only the root is computed, never a persistent trie: the node needs it for
 * `transactionsRoot`/`receiptsRoot` and for checking conformance-test state
 * roots thousands of times. So instead of inserting key by key, the builder
 * turns every key into a nibble string (lower-case hex: one character per
 * nibble), sorts them once, and builds the trie bottom-up over ranges of the
 * sorted array: a range whose keys share a prefix becomes an extension, a
 * range that splits becomes a branch, a single key becomes a leaf. Each node
 * is RLP-encoded straight into one buffer from its already-encoded children,
 * and children of 32 bytes or more are referenced by keccak256 (smaller ones
 * are embedded), exactly as the spec requires. No node objects are kept.
 */
import { keccak256 } from '../crypto/keccak.js'
import { encodeRlp } from '../primitives/rlp.js'

/** RLP of the empty string: an absent child in a branch, an empty branch value. */
const RLP_EMPTY = Uint8Array.of(0x80)

/** keccak256(rlp('')): the root of a trie without entries. */
const EMPTY_ROOT = keccak256(RLP_EMPTY)

/** Length of an RLP header for a payload of `n` bytes. */
function headerLength(n: number): number {
  if (n < 56) return 1
  let l = 0
  for (let x = n; x > 0; x = Math.floor(x / 256)) l++
  return 1 + l
}

/** Write an RLP header (string base 0x80, list base 0xc0) at `o`; returns the new offset. */
function writeHeader(out: Uint8Array, o: number, n: number, base: number): number {
  if (n < 56) {
    out[o] = base + n
    return o + 1
  }
  let l = 0
  for (let x = n; x > 0; x = Math.floor(x / 256)) l++
  out[o] = base + 55 + l
  for (let i = l; i >= 1; i--) {
    out[o + i] = n & 0xff
    n = Math.floor(n / 256)
  }
  return o + 1 + l
}

/** Encoded length of `b` as an RLP string item. */
function stringItemLength(b: Uint8Array): number {
  if (b.length === 1 && b[0]! < 0x80) return 1
  return headerLength(b.length) + b.length
}

/** Write `b` as an RLP string item at `o`; returns the new offset. */
function writeStringItem(out: Uint8Array, o: number, b: Uint8Array): number {
  if (b.length === 1 && b[0]! < 0x80) {
    out[o] = b[0]!
    return o + 1
  }
  o = writeHeader(out, o, b.length, 0x80)
  out.set(b, o)
  return o + b.length
}

/** Lower-case hex of `b` via Node's native Buffer hex encoder (measured ~8x a JS loop for 32-byte keys). */
function hexOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex')
}

/** Value of the hex digit with char code `c` (keys are lower-case hex). */
function nib(c: number): number {
  return c < 58 ? c - 48 : c - 87
}

/** Hex-prefix (compact) encoding of `path[from..to)`, flagged as leaf or extension. */
function hexPrefix(path: string, from: number, to: number, leaf: boolean): Uint8Array {
  const n = to - from
  const odd = n & 1
  const out = new Uint8Array((n >> 1) + 1)
  const flag = (leaf ? 2 : 0) + odd
  let i = from
  if (odd) {
    out[0] = (flag << 4) | nib(path.charCodeAt(i))
    i++
  } else {
    out[0] = flag << 4
  }
  for (let o = 1; i < to; i += 2, o++) out[o] = (nib(path.charCodeAt(i)) << 4) | nib(path.charCodeAt(i + 1))
  return out
}

/** RLP list of two string items `[a, b]`. */
function pairNode(a: Uint8Array, b: Uint8Array): Uint8Array {
  const payload = stringItemLength(a) + stringItemLength(b)
  const out = new Uint8Array(headerLength(payload) + payload)
  let o = writeHeader(out, 0, payload, 0xc0)
  o = writeStringItem(out, o, a)
  writeStringItem(out, o, b)
  return out
}

/** RLP list `[a, child]` where `child` is an already-encoded item (hash string or embedded node). */
function extensionNode(a: Uint8Array, child: Uint8Array): Uint8Array {
  const payload = stringItemLength(a) + child.length
  const out = new Uint8Array(headerLength(payload) + payload)
  let o = writeHeader(out, 0, payload, 0xc0)
  o = writeStringItem(out, o, a)
  out.set(child, o)
  return out
}

/** How a parent refers to an encoded node: embedded when shorter than 32 bytes, else its hash as a string item. */
function nodeRef(node: Uint8Array): Uint8Array {
  if (node.length < 32) return node
  const ref = new Uint8Array(33)
  ref[0] = 0xa0
  ref.set(keccak256(node), 1)
  return ref
}

/** Says when a sliced build should pause (it is asked between subtrees); see `orderedTrieRootSteps`. */
export type PauseCheck = () => boolean

/** A build that never pauses (the synchronous roots). */
const NEVER_PAUSE: PauseCheck = () => false

/** Run a build generator to its end without pausing. */
function runToEnd(g: Generator<void, Uint8Array, void>): Uint8Array {
  let r = g.next()
  while (r.done !== true) r = g.next()
  return r.value
}

/**
 * Build the RLP of the node covering sorted keys `[lo, hi)` below nibble
 * depth `d`. A generator so that a long build can pause between subtrees
 * (`pause()` true): it yields, and the caller resumes it later.
 */
function* buildNode(keys: string[], vals: Uint8Array[], lo: number, hi: number, d: number, pause: PauseCheck): Generator<void, Uint8Array, void> {
  const first = keys[lo]!
  if (hi - lo === 1) return pairNode(hexPrefix(first, d, first.length, true), vals[lo]!)
  const last = keys[hi - 1]!
  // Sorted keys: the prefix shared by the first and last is shared by all.
  const max = Math.min(first.length, last.length)
  let cp = d
  while (cp < max && first.charCodeAt(cp) === last.charCodeAt(cp)) cp++
  if (cp > d) return extensionNode(hexPrefix(first, d, cp, false), nodeRef(yield* buildBranch(keys, vals, lo, hi, cp, pause)))
  return yield* buildBranch(keys, vals, lo, hi, d, pause)
}

/** Build the RLP of a branch node splitting keys `[lo, hi)` on the nibble at depth `d` (pausing between children). */
function* buildBranch(keys: string[], vals: Uint8Array[], lo: number, hi: number, d: number, pause: PauseCheck): Generator<void, Uint8Array, void> {
  const children: Uint8Array[] = new Array(16)
  let value: Uint8Array = RLP_EMPTY
  let i = lo
  // A key ending exactly here sorts first (it is a prefix of every other key in the range).
  if (keys[i]!.length === d) {
    value = encodeRlp(vals[i]!)
    i++
  }
  let payload = value.length
  let slot = 0
  while (i < hi) {
    const c = keys[i]!.charCodeAt(d)
    let j = i + 1
    while (j < hi && keys[j]!.charCodeAt(d) === c) j++
    const n = nib(c)
    for (; slot < n; slot++) {
      children[slot] = RLP_EMPTY
      payload++
    }
    // a lone key is a leaf: built here, without a nested generator
    const k = keys[i]!
    const ref = nodeRef(j - i === 1 ? pairNode(hexPrefix(k, d + 1, k.length, true), vals[i]!) : yield* buildNode(keys, vals, i, j, d + 1, pause))
    children[slot++] = ref
    payload += ref.length
    i = j
    if (i < hi && pause()) yield
  }
  for (; slot < 16; slot++) {
    children[slot] = RLP_EMPTY
    payload++
  }
  const out = new Uint8Array(headerLength(payload) + payload)
  let o = writeHeader(out, 0, payload, 0xc0)
  for (let k = 0; k < 16; k++) {
    const c = children[k]!
    if (c.length === 1) out[o++] = c[0]!
    else {
      out.set(c, o)
      o += c.length
    }
  }
  out.set(value, o)
  return out
}

/** Root of a trie given nibble-string keys (unique) and non-empty values, as a build that may pause. */
function* rootOfNibbleMapSteps(map: Map<string, Uint8Array>, pause: PauseCheck): Generator<void, Uint8Array, void> {
  if (map.size === 0) return EMPTY_ROOT.slice()
  const keys = [...map.keys()]
  keys.sort()
  const vals = new Array<Uint8Array>(keys.length)
  for (let i = 0; i < keys.length; i++) vals[i] = map.get(keys[i]!)!
  return keccak256(yield* buildNode(keys, vals, 0, keys.length, 0, pause))
}

/** Root of a trie given nibble-string keys (unique) and non-empty values. */
function rootOfNibbleMap(map: Map<string, Uint8Array>): Uint8Array {
  return runToEnd(rootOfNibbleMapSteps(map, NEVER_PAUSE))
}

/**
 * Root of the Merkle-Patricia trie holding `entries` under their raw keys.
 * Later entries for the same key replace earlier ones; an empty value means
 * the key is absent (deleting any earlier entry), as in the trie's semantics.
 */
export function trieRoot(entries: Iterable<readonly [Uint8Array, Uint8Array]>): Uint8Array {
  const map = new Map<string, Uint8Array>()
  for (const [k, v] of entries) {
    const key = hexOf(k)
    if (v.length === 0) map.delete(key)
    else map.set(key, v)
  }
  return rootOfNibbleMap(map)
}

/** Root of the "secure" trie: like `trieRoot` but every key is replaced by keccak256(key). */
export function secureTrieRoot(entries: Iterable<readonly [Uint8Array, Uint8Array]>): Uint8Array {
  const map = new Map<string, Uint8Array>()
  for (const [k, v] of entries) {
    const key = hexOf(keccak256(k))
    if (v.length === 0) map.delete(key)
    else map.set(key, v)
  }
  return rootOfNibbleMap(map)
}

/**
 * Root of the trie mapping rlp(i) to `values[i]`: the `transactionsRoot`
 * (values = encoded transactions) and `receiptsRoot` (values = encoded
 * receipts) of a block header. Empty values are treated as absent.
 */
export function orderedTrieRoot(values: readonly Uint8Array[]): Uint8Array {
  return runToEnd(orderedTrieRootSteps(values, NEVER_PAUSE))
}

/**
 * `orderedTrieRoot` as a build that can be spread over several event-loop
 * turns: the generator yields whenever `pause()` answers true (asked between
 * subtrees), the caller resumes it with `next()` later, and its return value
 * is the root (identical to `orderedTrieRoot`'s). The sequencer seals a block
 * this way so that the 1 s block's roots never hold the mini-block loop.
 */
export function* orderedTrieRootSteps(values: readonly Uint8Array[], pause: PauseCheck): Generator<void, Uint8Array, void> {
  const map = new Map<string, Uint8Array>()
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (v.length > 0) map.set(hexOf(encodeRlp(i)), v)
  }
  return yield* rootOfNibbleMapSteps(map, pause)
}

/** Root of a trie whose keys are already 32-byte hashes given as 64-char lower-case hex (no `0x`). For state-root builders. */
export function trieRootOfHexKeys(entries: Iterable<readonly [string, Uint8Array]>): Uint8Array {
  const map = new Map<string, Uint8Array>()
  for (const [k, v] of entries) {
    if (v.length === 0) map.delete(k)
    else map.set(k, v)
  }
  return rootOfNibbleMap(map)
}
