/**
 * secp256k1: known keys and signatures (anvil's first dev key, the EIP-155
 * example), sign/recover round-trips on both backends, native and noble
 * agreement (same deterministic signatures, same recovered keys, same
 * rejections), invalid r/s/parity giving null, typed key errors, and the
 * `TACHYON_NO_NATIVE_SECP256K1=1` switch checked in a child process.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { KeyError } from '../../src/primitives/errors.js'
import { bigIntToBytes } from '../../src/primitives/bytes.js'
import { bytesToHex, hexToBytes } from '../../src/primitives/hex.js'
import { keccak256 } from '../../src/crypto/keccak.js'
import { toChecksumAddress } from '../../src/crypto/address.js'
import {
  SECP256K1_HALF_N,
  SECP256K1_N,
  privateKeyToAddress,
  privateKeyToPublicKey,
  publicKeyToAddress,
  recoverAddress,
  recoverPublicKey,
  secp256k1Backend,
  secp256k1Backends,
  signHash,
  type Secp256k1Backend,
} from '../../src/crypto/secp256k1.js'

const backends: Secp256k1Backend[] = [secp256k1Backends.noble, ...(secp256k1Backends.native ? [secp256k1Backends.native] : [])]
if (!secp256k1Backends.native) console.log('# NOTE: native secp256k1 addon not loaded; only the noble backend is tested')

const ANVIL_KEY = hexToBytes('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const ANVIL_ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'

test('backend selection: native by default when the addon loads', () => {
  assert.equal(secp256k1Backend, process.env.TACHYON_NO_NATIVE_SECP256K1 === '1' || !secp256k1Backends.native ? 'noble' : 'native')
})

test("anvil's first dev key has the well-known address on every backend", () => {
  assert.equal(toChecksumAddress(privateKeyToAddress(ANVIL_KEY)), ANVIL_ADDRESS)
  for (const b of backends) assert.equal(toChecksumAddress(publicKeyToAddress(privateKeyToPublicKey(ANVIL_KEY, b))), ANVIL_ADDRESS, b.name)
})

test('EIP-155 example signature: exact r, s and recovered signer', () => {
  const key = new Uint8Array(32).fill(0x46)
  const hash = hexToBytes('0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53')
  const r = 18515461264373351373200002665853028612451056578545711640558177340181847433846n
  const s = 46948507304638947509940763649030358759909902576025900602547168820602576006531n
  for (const b of backends) {
    const sig = signHash(hash, key, b)
    assert.deepEqual(sig, { r, s, yParity: 0 }, b.name) // v = 37 = 0 + 35 + 2 * chainId 1
    assert.equal(toChecksumAddress(publicKeyToAddress(recoverPublicKey(hash, r, s, 0, b)!)), '0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F')
  }
  assert.equal(toChecksumAddress(recoverAddress(hash, r, s, 0)!), '0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F')
})

test('property: sign then recover round-trips, low-s, and the backends agree', () => {
  const key = fc.bigInt({ min: 1n, max: SECP256K1_N - 1n }).map((k) => bigIntToBytes(k, 32))
  const msg = fc.uint8Array({ minLength: 32, maxLength: 32 })
  fc.assert(
    fc.property(key, msg, (k, m) => {
      const pub = privateKeyToPublicKey(k, secp256k1Backends.noble)
      let first: string | undefined
      for (const b of backends) {
        assert.equal(bytesToHex(privateKeyToPublicKey(k, b)), bytesToHex(pub), b.name)
        const sig = signHash(m, k, b)
        assert.ok(sig.s <= SECP256K1_HALF_N, 'low-s')
        const ser = `${sig.r}:${sig.s}:${sig.yParity}`
        if (first === undefined) first = ser
        else assert.equal(ser, first, 'RFC 6979 signatures differ between backends')
        for (const rb of backends) assert.equal(bytesToHex(recoverPublicKey(m, sig.r, sig.s, sig.yParity, rb)!), bytesToHex(pub), `${b.name} -> ${rb.name}`)
        // The high-s twin (s' = n - s, flipped parity) recovers the same key: recovery itself does not enforce EIP-2.
        assert.equal(bytesToHex(recoverPublicKey(m, sig.r, SECP256K1_N - sig.s, 1 - sig.yParity, b)!), bytesToHex(pub))
        // The wrong parity recovers some other key (or none).
        const other = recoverPublicKey(m, sig.r, sig.s, 1 - sig.yParity, b)
        assert.ok(other === null || bytesToHex(other) !== bytesToHex(pub))
      }
    }),
    { numRuns: 40 },
  )
})

test('property: on random (r, s, parity) the backends give the same key or both null', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.bigInt({ min: 1n, max: SECP256K1_N - 1n }),
      fc.bigInt({ min: 1n, max: SECP256K1_N - 1n }),
      fc.integer({ min: 0, max: 1 }),
      (m, r, s, v) => {
        const results = backends.map((b) => recoverPublicKey(m, r, s, v, b))
        for (const x of results) assert.equal(x === null ? null : bytesToHex(x), results[0] === null ? null : bytesToHex(results[0]!))
      },
    ),
    { numRuns: 40 },
  )
})

test('invalid r, s, parity or hash give null', () => {
  const hash = keccak256(new TextEncoder().encode('tachyon'))
  const good = signHash(hash, ANVIL_KEY)
  assert.equal(toChecksumAddress(recoverAddress(hash, good.r, good.s, good.yParity)!), ANVIL_ADDRESS)
  const bad: Array<[bigint, bigint, number, Uint8Array, string]> = [
    [0n, good.s, good.yParity, hash, 'r = 0'],
    [good.r, 0n, good.yParity, hash, 's = 0'],
    [SECP256K1_N, good.s, good.yParity, hash, 'r = n'],
    [good.r, SECP256K1_N, good.yParity, hash, 's = n'],
    [good.r + SECP256K1_N, good.s, good.yParity, hash, 'r >= n'],
    [-good.r, good.s, good.yParity, hash, 'r < 0'],
    [good.r, good.s, 2, hash, 'parity 2'],
    [good.r, good.s, -1, hash, 'parity -1'],
    [good.r, good.s, 27, hash, 'v = 27 is not a parity'],
    [good.r, good.s, good.yParity, hash.subarray(0, 31), '31-byte hash'],
  ]
  for (const [r, s, v, h, why] of bad) {
    for (const b of backends) assert.equal(recoverPublicKey(h, r, s, v, b), null, `${b.name}: ${why}`)
    assert.equal(recoverAddress(h, r, s, v), null, why)
  }
  // An r that is not the x coordinate of any curve point: no key recovers, on any backend.
  let noPoint = 0
  for (let x = 1n; x < 40n; x++) {
    const results = backends.map((b) => recoverPublicKey(hash, x, good.s, 0, b))
    assert.ok(results.every((p) => p === null) || results.every((p) => p !== null), `backends disagree at r = ${x}`)
    if (results[0] === null) noPoint++
  }
  assert.ok(noPoint > 0, 'expected some small r with no curve point')
})

test('invalid private keys throw KeyError', () => {
  const hash = new Uint8Array(32).fill(1)
  for (const k of [new Uint8Array(32), bigIntToBytes(SECP256K1_N, 32), new Uint8Array(32).fill(0xff), new Uint8Array(31).fill(1)]) {
    for (const b of backends) {
      assert.throws(() => signHash(hash, k, b), KeyError)
      assert.throws(() => privateKeyToPublicKey(k, b), KeyError)
    }
    assert.throws(() => privateKeyToAddress(k), KeyError)
  }
  assert.throws(() => signHash(new Uint8Array(31), ANVIL_KEY), KeyError)
  // n - 1 is the largest valid key.
  assert.equal(privateKeyToPublicKey(bigIntToBytes(SECP256K1_N - 1n, 32)).length, 64)
})

test('TACHYON_NO_NATIVE_SECP256K1=1 selects noble in a fresh process, with the same results', () => {
  const self = fileURLToPath(import.meta.url)
  const ext = self.endsWith('.ts') ? '.ts' : '.js'
  const mod = new URL(`../../src/crypto/secp256k1${ext}`, import.meta.url).href
  const code = `
    const m = await import(${JSON.stringify(mod)});
    const key = new Uint8Array(Buffer.from('${bytesToHex(ANVIL_KEY).slice(2)}', 'hex'));
    const hash = new Uint8Array(32).fill(9);
    const sig = m.signHash(hash, key);
    const addr = m.recoverAddress(hash, sig.r, sig.s, sig.yParity);
    console.log(JSON.stringify({ backend: m.secp256k1Backend, addr: Buffer.from(addr).toString('hex'), r: sig.r.toString() }));`
  // Keep loader flags (tsx) but not the test runner's own.
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--test'))
  const run = (env: NodeJS.ProcessEnv): { backend: string; addr: string; r: string } => {
    const res = spawnSync(process.execPath, [...execArgv, '--input-type=module', '-e', code], { env: { ...process.env, ...env }, encoding: 'utf8' })
    assert.equal(res.status, 0, res.stderr)
    return JSON.parse(res.stdout.trim().split('\n').pop()!) as { backend: string; addr: string; r: string }
  }
  const forced = run({ TACHYON_NO_NATIVE_SECP256K1: '1' })
  assert.equal(forced.backend, 'noble')
  assert.equal('0x' + forced.addr, ANVIL_ADDRESS.toLowerCase())
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.TACHYON_NO_NATIVE_SECP256K1
  const dflt = spawnSync(process.execPath, [...execArgv, '--input-type=module', '-e', code], { env, encoding: 'utf8' })
  assert.equal(dflt.status, 0, dflt.stderr)
  const d = JSON.parse(dflt.stdout.trim().split('\n').pop()!) as { backend: string; addr: string; r: string }
  assert.equal(d.backend, secp256k1Backends.native ? 'native' : 'noble')
  assert.equal(d.addr, forced.addr)
  assert.equal(d.r, forced.r)
})
