/**
 * WebAssembly tier (tier 2), program level: loops of pure compute run in
 * wasm (the region exists and is entered) and match the interpreter on
 * every outcome, including out of gas at every gas limit around the loop
 * (static block gas, memory expansion, EXP-free loops), stack overflow
 * inside the loop, memory beyond the mirror's capacity, computed jumps
 * (valid and invalid), GAS/MSIZE/PC inside wasm, and hand-overs between
 * the tiers in the middle of a loop. A fast-check property runs every op
 * the wasm blocks compute (inline, through helpers, with constant operands
 * folded into shifts and masks) against BigInt.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { analyzeCode, CodeCache } from '../../../src/evm/code.js'
import { forkTables } from '../../../src/evm/opcodes.js'
import { compile } from '../../../src/evm/jit/compiler.js'
import { differential, forcedJit, type FuzzCase, hex, runCase } from '../../../src/evm/jit/differential.js'
import { Jit } from '../../../src/evm/jit/jit.js'
import { MEM_CAP } from '../../../src/evm/jit/wasm/limbs.js'

const T = forkTables('Cancun')

function mk(code: string, gas = 1_000_000): FuzzCase {
  return { code: hex(code), calldata: new Uint8Array(0), value: 0n, gas, depth: 0, isStatic: false, storage: [] }
}

/** Both JITs (loops only, and forced: every eligible block) agree with the interpreter; returns the interpreter's outcome and the loop JIT's wasm entries. */
function same(c: FuzzCase): { out: ReturnType<typeof differential>['interp']; entries: number } {
  const loops = new Jit({ threshold: 1, adaptive: false })
  const d = differential(c, loops)
  assert.equal(d.mismatch, undefined, `loops: ${d.mismatch}`)
  const all = forcedJit()
  const d2 = differential(c, all)
  assert.equal(d2.mismatch, undefined, `forced: ${d2.mismatch}`)
  return { out: d.interp, entries: loops.stats.wasm.entries }
}

const p2 = (n: number): string => n.toString(16).padStart(4, '0')

/** fib-style loop: a b n → iterate n times (a, b) = (b, a + b); return a in memory. */
function fibLoop(n: number): string {
  // PUSH1 0 PUSH1 1 PUSH2 n | L(7): JUMPDEST DUP1 ISZERO PUSH2 E JUMPI  SWAP2 DUP2 ADD SWAP1 SWAP2 PUSH1 1 SWAP1 SUB PUSH2 L JUMP | E: JUMPDEST POP POP PUSH0 MSTORE PUSH1 32 PUSH0 RETURN
  const body = '5b80156100' + '00' + '57' + '91810190916001900361' + p2(7) + '56'
  const e = 7 + body.length / 2
  return '60006001' + '61' + p2(n) + body.replace('6100' + '00' + '57', '61' + p2(e) + '57') + '5b50505f5260205ff3'
}

test('a pure-stack loop is compiled to wasm, entered, and exact', () => {
  const code = fibLoop(90)
  const c = compile(analyzeCode(hex(code)), T)
  assert.ok(c.wasm !== undefined && c.wasm.blocks.length >= 2, 'loop blocks in the wasm region')
  const { out, entries } = same(mk(code))
  assert.equal(out.kind, 'success')
  assert.equal(BigInt('0x' + out.output), 2880067194370816120n, 'fib(90)')
  assert.ok(entries >= 1, 'wasm region entered')
})

test('out of gas at every limit around a wasm loop', () => {
  const code = fibLoop(12)
  const full = same(mk(code)).out
  const used = 1_000_000 - full.gasLeft
  for (let g = used + 2; g >= Math.max(0, used - 400); g -= 1) same(mk(code, g))
})

test('memory loop: expansion each iteration, MLOAD/MSTORE/MSTORE8, MSIZE, GAS and PC, out of gas at every limit', () => {
  // i = 40 | L: JUMPDEST  GAS PC XOR  DUP2 PUSH1 5 SHL MSTORE   (mem[i*32] = GAS ^ PC)
  //        DUP1 MSIZE MSTORE8   (mem[msize] byte = i)   DUP1 PUSH1 5 SHL MLOAD PUSH0 MSTORE
  //        PUSH1 1 SWAP1 SUB DUP1 PUSH2 L JUMPI  | MSIZE PUSH0 RETURN
  const code = '6028' + '5b' + '5a5818' + '8160051b52' + '805953' + '8060051b515f52' + '60019003806100025' + '7' + '595ff3'
  const full = same(mk(code)).out
  assert.equal(full.kind, 'success')
  const used = 1_000_000 - full.gasLeft
  for (let g = used; g >= used - 600; g -= 3) same(mk(code, g))
  for (let g = 150; g >= 0; g -= 7) same(mk(code, g))
})

test('stack overflow inside a wasm loop; underflow at its entry', () => {
  // PUSH2 1100 | L: JUMPDEST PUSH1 7 SWAP1 PUSH1 1 SWAP1 SUB DUP1 PUSH2 L JUMPI STOP
  const grow = '61044c' + '5b' + '600790' + '6001900380610003' + '57' + '00'
  const { out } = same(mk(grow))
  assert.equal(out.error, 'stack overflow')
  // the loop body pops more than the entry stack holds after a few iterations
  const shrink = '6001600260036004' + '6005' + '5b' + '50' + '8061000a57' + '00'
  same(mk(shrink))
})

test('memory beyond the mirror and offsets beyond 32 bits leave to the interpreter', () => {
  // loop of 3: MSTORE at MEM_CAP - 16 (beyond the mirror), then at 2^32 (out of gas in the interpreter)
  const far = (off: bigint): string => {
    const h = off.toString(16).padStart(10, '0')
    return '6003' + '5b' + '6001' + '64' + h + '52' + '6001900380610002' + '57' + '595ff3'
  }
  const a = same(mk(far(BigInt(MEM_CAP - 16)), 30_000_000)).out
  assert.equal(a.kind, 'success')
  const b = same(mk(far(1n << 32n), 30_000_000)).out
  assert.equal(b.error, 'out of gas')
})

test('computed jumps inside a wasm loop: valid, and an invalid target', () => {
  // i = 5 | L(2): JUMPDEST PUSH2 T PUSH0 ADD JUMP INVALID T: JUMPDEST PUSH1 1 SWAP1 SUB DUP1 PUSH2 L PUSH0 ADD JUMPI STOP
  const t = 2 + 1 + 3 + 2 + 1 + 1
  const ok = '6005' + '5b' + '61' + p2(t) + '5f0156fe' + '5b' + '60019003806100025f0157' + '00'
  assert.equal(same(mk(ok)).out.kind, 'success')
  const bad = ok.replace('61' + p2(t) + '5f01', '61' + p2(t + 1) + '5f01')
  assert.equal(same(mk(bad)).out.error, 'invalid jump destination')
})

test('an inner wasm loop inside an outer loop that tier 1 runs (EXP in its body) stays exact', () => {
  // i = 5 | L1(2): JUMPDEST DUP1 PUSH1 3 EXP PUSH0 MSTORE  PUSH1 20
  //   L2(11): JUMPDEST DUP1 PUSH1 7 MUL PUSH1 32 MLOAD ADD PUSH1 32 MSTORE PUSH1 1 SWAP1 SUB DUP1 PUSH2 L2 JUMPI
  //   POP PUSH1 1 SWAP1 SUB DUP1 PUSH2 L1 JUMPI | PUSH1 64 PUSH0 RETURN
  const code = '6005' + '5b' + '8060030a5f52' + '6014' + '5b' + '80600702' + '602051' + '01' + '602052' + '6001900380' + '61000b' + '57' + '50' + '6001900380' + '610002' + '57' + '60405ff3'
  const { out, entries } = same(mk(code))
  assert.equal(out.kind, 'success')
  assert.equal(entries, 5, 'the inner loop is entered once per outer iteration')
  assert.equal(BigInt('0x' + out.output.slice(64)), 5n * 7n * (20n * 21n / 2n), 'sum over the iterations of 7·j')
})

const MAXW = (1n << 256n) - 1n
const toS = (x: bigint): bigint => (x >= 1n << 255n ? x - (1n << 256n) : x)
/** Tier 1's semantics of the ops the wasm blocks compute inline or through helpers (`a` popped first). */
const SEM: Record<number, (a: bigint, b: bigint) => bigint> = {
  0x01: (a, b) => (a + b) & MAXW,
  0x02: (a, b) => (a * b) & MAXW,
  0x03: (a, b) => (a - b) & MAXW,
  0x04: (a, b) => (b === 0n ? 0n : a / b),
  0x06: (a, b) => (b === 0n ? 0n : a % b),
  0x10: (a, b) => (a < b ? 1n : 0n),
  0x11: (a, b) => (a > b ? 1n : 0n),
  0x12: (a, b) => (toS(a) < toS(b) ? 1n : 0n),
  0x13: (a, b) => (toS(a) > toS(b) ? 1n : 0n),
  0x14: (a, b) => (a === b ? 1n : 0n),
  0x16: (a, b) => a & b,
  0x17: (a, b) => a | b,
  0x18: (a, b) => a ^ b,
  0x1a: (a, b) => (a < 32n ? (b >> (248n - a * 8n)) & 0xffn : 0n),
  0x1b: (a, b) => (a < 256n ? (b << a) & MAXW : 0n),
  0x1c: (a, b) => (a < 256n ? b >> a : 0n),
  0x1d: (a, b) => (a < 256n ? (toS(b) >> a) & MAXW : toS(b) < 0n ? MAXW : 0n),
}
const w32 = (v: bigint): string => v.toString(16).padStart(64, '0')
const edgeWord = fc.oneof(
  fc.constantFrom(0n, 1n, 2n, 8n, 31n, 32n, 63n, 64n, 65n, 128n, 255n, 256n, 257n, (1n << 64n) - 1n, 1n << 64n, (1n << 64n) + 1n, (1n << 128n) - 1n, 1n << 128n, 1n << 192n, 1n << 255n, MAXW, MAXW - 1n),
  fc.integer({ min: 0, max: 255 }).map((k) => 1n << BigInt(k)),
  fc.integer({ min: 0, max: 255 }).map((k) => (1n << BigInt(k)) - 1n),
  fc.bigInt({ min: 0n, max: MAXW }),
)

/** Run a one-block program (its block ends in a JUMP, so it is wasm in forced mode) on calldata `cd`; returns the 32-byte result. */
function runOp(code: string, cd: string, cache: CodeCache, jit: Jit): bigint {
  const out = runCase({ code: hex(code), calldata: hex(cd), value: 0n, gas: 1_000_000, depth: 0, isStatic: false, storage: [] }, jit, 'Cancun', cache)
  assert.equal(out.kind, 'success')
  return BigInt('0x' + out.output)
}

test('wasm blocks compute every op like BigInt: operands from calldata, and a constant first or second operand', () => {
  const ret = '5b60205ff3' // JUMPDEST PUSH1 32 PUSH0 RETURN
  for (const [opS, sem] of Object.entries(SEM)) {
    const op = Number(opS).toString(16).padStart(2, '0')
    // both dynamic: a = calldata[0..32), b = calldata[32..64)
    const jit = forcedJit()
    const cache = new CodeCache()
    const dyn = '602035' + '5f35' + op + '5f52' + '600b56' + ret
    fc.assert(fc.property(edgeWord, edgeWord, (a, b) => {
      assert.equal(runOp(dyn, w32(a) + w32(b), cache, jit), sem(a, b), `op ${op} (${a}, ${b})`)
    }), { numRuns: 150 })
    assert.ok(jit.stats.wasm.entries > 0, 'ran in wasm')
    // a constant `a` (shift amounts, multipliers) and a constant `b` (divisors, masks)
    for (const k of [0n, 1n, 7n, 8n, 31n, 32n, 63n, 64n, 65n, 128n, 200n, 255n, 256n, 300n, 1n << 64n, 1n << 128n, MAXW]) {
      const j2 = forcedJit()
      const constA = '602035' + '7f' + w32(k) + op + '5f52' + '602a56' + ret
      const constB = '7f' + w32(k) + '5f35' + op + '5f52' + '602956' + ret
      const c2 = new CodeCache()
      const c3 = new CodeCache()
      fc.assert(fc.property(edgeWord, (x) => {
        assert.equal(runOp(constA, '00'.repeat(32) + w32(x), c2, j2), sem(k, x), `op ${op} (const ${k}, ${x})`)
        assert.equal(runOp(constB, w32(x), c3, j2), sem(x, k), `op ${op} (${x}, const ${k})`)
      }), { numRuns: 12 })
    }
  }
})
