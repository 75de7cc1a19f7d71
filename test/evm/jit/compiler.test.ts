/**
 * Compiler tests: block analysis and check sections, the optimisations
 * (folding, static jumps, dead code, regions) seen in the generated source,
 * and exactness against the interpreter on hand-written programs, including
 * out of gas at every instruction, stack limits, invalid jumps, the call
 * depth limit and gas-observing instructions.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { analyzeCode } from '../../../src/evm/code.js'
import { forkTables } from '../../../src/evm/opcodes.js'
import { analyze } from '../../../src/evm/jit/analysis.js'
import { compile } from '../../../src/evm/jit/compiler.js'
import { differential, type FuzzCase, forcedJit, hex, runCase, CALLEE, TARGET } from '../../../src/evm/jit/differential.js'
import { Jit } from '../../../src/evm/jit/jit.js'

const T = forkTables('Cancun')

function mk(code: string, gas = 1_000_000, extra: Partial<FuzzCase> = {}): FuzzCase {
  return { code: hex(code), calldata: new Uint8Array(0), value: 0n, gas, depth: 0, isStatic: false, storage: [], ...extra }
}

/** Assert both engines agree on `c` and return the interpreter's outcome. */
function same(c: FuzzCase, jit = forcedJit()): ReturnType<typeof runCase> {
  const d = differential(c, jit)
  assert.equal(d.mismatch, undefined, `mismatch: ${d.mismatch}`)
  assert.ok(jit.stats.compiledRuns > 0, 'the JIT ran')
  return d.interp
}

const addr = (a: bigint): string => a.toString(16).padStart(40, '0')

test('analysis: blocks at JUMPDESTs and after terminators; sections end after host ops; gas from the shared table', () => {
  // PUSH1 1 PUSH1 0 SSTORE PUSH1 2 JUMPDEST ADD STOP
  const a = analyze(analyzeCode(hex('600160005560025b0100')), T)
  assert.equal(a.blocks.length, 2)
  const [b0, b1] = a.blocks
  assert.deepEqual(b0!.pcs, [0, 2, 4, 5])
  assert.equal(b0!.term, 'fall')
  assert.equal(b0!.sections.length, 2, 'SSTORE (host) ends a section')
  assert.equal(b0!.sections[0]!.gas, T.gas[0x60]! * 2 + T.gas[0x55]!)
  assert.equal(b0!.sections[1]!.gas, T.gas[0x60]!)
  assert.deepEqual([b1!.start, b1!.term, b1!.sections[0]!.gas, b1!.sections[0]!.low], [7, 'stop', T.gas[0x5b]! + T.gas[0x01]!, -2])
  assert.equal(a.blockAt[7], 1)
  assert.equal(a.blockAt[1], -1)
})

test('codegen: constants fold, static jumps need no dispatch, dead code is dropped', () => {
  // PUSH1 2 PUSH1 3 ADD PUSH1 0 MSTORE PUSH1 0x0e JUMP | 0x0b: INVALID INVALID INVALID | 0x0e: JUMPDEST PUSH1 32 PUSH1 0 RETURN
  const code = '6002600301600052600e56fefefe5b60206000f3'
  const c = compile(analyzeCode(hex(code)), T)
  assert.match(c.source, /writeWord\(f\.view, 0, 5n\)/, 'ADD folded to 5n')
  assert.doesNotMatch(c.source, /jd\[/, 'no dynamic dispatch')
  assert.equal(c.blocksEmitted, 2, 'unreachable INVALID block dropped')
  assert.ok(c.blocksTotal > c.blocksEmitted)
  const out = same(mk(code))
  assert.equal(out.kind, 'success')
  assert.equal(out.output, '00'.repeat(31) + '05')
})

test('codegen: comparisons stay booleans into JUMPI; the dispatcher pattern compiles to direct jumps', () => {
  // calldata selector dispatch: PUSH1 0 CALLDATALOAD PUSH1 224 SHR DUP1 PUSH4 sel EQ PUSH1 L JUMPI STOP L: JUMPDEST PUSH1 1 PUSH1 0 SSTORE STOP
  const code = '60003560e01c8063a9059cbb14601157005b6001600055' + '00'
  const c = compile(analyzeCode(hex(code)), T)
  assert.match(c.source, /if \(b\d+\) \{/, 'EQ feeds the branch as a JS boolean')
  assert.doesNotMatch(c.source, /jd\[/)
  const hit = same(mk(code, 100_000, { calldata: hex('a9059cbb' + '00'.repeat(32)) }))
  assert.match(hit.diff, /\{0=1\}/)
  const miss = same(mk(code, 100_000, { calldata: hex('12345678') }))
  assert.doesNotMatch(miss.diff, /\{0=1\}/)
})

test('regions: splitting code into several functions gives the same results', () => {
  // a loop summing 1..50 with the body spread over several blocks
  const code = '600060325b801560155780910190600190036004565b5060005260206000f3'
  const small = new Jit({ threshold: 0, regionChars: 10 })
  const out = same(mk(code), small)
  assert.equal(out.kind, 'success')
  const c = compile(analyzeCode(hex(code)), T, { regionChars: 10 })
  assert.ok(c.regions.length > 1, `${c.regions.length} regions`)
  assert.equal(BigInt('0x' + out.output), 1275n)
})

test('out of gas at every instruction: both engines agree for every gas limit', () => {
  // memory growth, SSTORE (sentry), LOG, KECCAK, GAS, a loop and a call
  const code =
    '6005' + // counter
    '5b' + // 0x02 loop
    '8060200260405260406000206000555a600155' + // DUP1 PUSH1 32 MUL PUSH1 64 MSTORE PUSH1 64 PUSH1 0 KECCAK PUSH1 0 SSTORE GAS PUSH1 1 SSTORE
    '600160206000a1' + // LOG1
    '6001900380600257' + // PUSH1 1 SWAP1 SUB DUP1 PUSH1 2 JUMPI
    '60006000600060006000' + '73' + addr(CALLEE) + '61ffff' + 'f1' + // CALL callee
    '5060206000f3'
  const full = same(mk(code, 500_000))
  assert.equal(full.kind, 'success')
  const used = 500_000 - full.gasLeft
  const jit = forcedJit()
  let agreeOog = 0
  for (let g = 0; g <= used; g += g < 5_000 ? 1 : 61) {
    const d = differential(mk(code, g), jit)
    assert.equal(d.mismatch, undefined, `gas ${g}: ${d.mismatch}`)
    if (d.interp.kind === 'halt') agreeOog++
  }
  assert.ok(agreeOog > 100)
})

test('stack underflow, overflow and invalid jumps are exceptional halts in both engines', () => {
  assert.equal(same(mk('01')).kind, 'halt') // ADD on an empty stack
  assert.equal(same(mk('6000' + '80'.repeat(1023) + '00')).kind, 'success') // exactly 1024 items
  assert.equal(same(mk('6000' + '80'.repeat(1024) + '00')).kind, 'halt') // 1025
  assert.equal(same(mk('600356')).kind, 'halt') // JUMP to a non-JUMPDEST
  assert.equal(same(mk('6001600057')).kind, 'halt') // JUMPI taken to pc 0 (not a JUMPDEST)
  assert.equal(same(mk('6000600a57' + '00')).kind, 'success') // JUMPI not taken to a bad target
  assert.equal(same(mk('6004355600')).kind, 'halt') // dynamic JUMP to calldata (0)
  assert.equal(same(mk('5f5f5b6006565b00')).kind, 'success') // PUSH0s, then a jump to the JUMPDEST at 6
  assert.equal(same(mk('60015b600756fe5b00')).kind, 'success')
  assert.equal(same(mk('ef')).kind, 'halt') // undefined opcode
  assert.equal(same(mk('60026001600003')).kind, 'success')
})

test('call depth limit, static calls and re-entrancy match the interpreter', () => {
  // call self with all gas, count depth in slot 0
  const self = '600054600101600055' + '6000600060006000600030' + '5a' + 'f1' + '00'
  for (const depth of [0, 1020, 1023]) same(mk(self, 3_000_000, { depth }))
  // SSTORE in a static context halts
  assert.equal(same(mk('6001600055', 100_000, { isStatic: true })).kind, 'halt')
  // calling CALLEE with 7 makes it call back into TARGET
  same(mk('6007600052' + '6020600060206000600073' + addr(CALLEE) + '5a' + 'f1' + '00', 1_000_000))
  assert.equal(TARGET > 0n, true)
})

test('GAS and the SSTORE stipend sentry observe exact gas inside a block', () => {
  // GAS in the middle of a block with more static gas after it
  const out = same(mk('5a600052600160016001010160206000f3', 50_000))
  assert.equal(out.kind, 'success')
  // SSTORE right at the 2300 sentry: try gas limits around it
  const jit = forcedJit()
  for (let g = 2290; g <= 2320; g++) {
    const d = differential(mk('6001600155', g), jit)
    assert.equal(d.mismatch, undefined, `gas ${g}: ${d.mismatch}`)
  }
})

test('CREATE/CREATE2 frames run compiled init code with empty calldata', () => {
  // CODECOPY init code (CALLDATASIZE, CALLDATALOAD(0) stored; returns 64 bytes) then CREATE2 and store the address
  const out = same(mk('6000601080601183398180f560005500fe366001556000356000556040600080375960' + '00f3', 300_000))
  assert.equal(out.kind, 'success')
})

test('64-bit specialisation: masked arithmetic compiles to BigInt.asUintN and matches the interpreter at the 2^64 boundary', () => {
  // x = CALLDATALOAD(0) & M64, y = CALLDATALOAD(32) & M64; stores x+y (65 bits: not narrowed), ADDMOD(x, y, 2^64),
  // (x ^ y) << 40 & M64, MULMOD(x, y, 2^64), x >> 7, (x & M32) + (y & M32), CALLDATALOAD(0) MOD 2^32
  const M64 = '67ffffffffffffffff'
  const M32 = '63ffffffff'
  const x = '600035' + M64 + '16'
  const y = '602035' + M64 + '16'
  const code =
    y + x + '01' + '600052' + // x + y
    '680100000000000000000' + y + x + '08' + '602052' + // ADDMOD(x, y, 2^64)
    M64 + y + x + '18' + '6028' + '1b' + '16' + '604052' + // ((x ^ y) << 40) & M64
    '680100000000000000000' + y + x + '09' + '606052' + // MULMOD(x, y, 2^64)
    x + '6007' + '1c' + '608052' + // x >> 7
    y + M32 + '16' + x + M32 + '16' + '01' + '60a052' + // (x & M32) + (y & M32)
    '6401' + '00000000' + '600035' + '06' + '60c052' + // CALLDATALOAD(0) % 2^32
    '60e0' + '6000' + 'f3'
  const fixed = code.replace(/680100000000000000000/g, '6801' + '0000000000000000')
  const c = compile(analyzeCode(hex(fixed)), T)
  assert.match(c.source, /BigInt\.asUintN\(64, /, 'narrowed to 64 bits')
  assert.match(c.source, /BigInt\.asUintN\(32, /, 'mask/modulus 2^32 as a truncation')
  assert.doesNotMatch(c.source, /addmod\(/, 'ADDMOD by 2^64 needs no division')
  for (const data of ['ff'.repeat(64), 'ff'.repeat(24) + '8000000000000001' + '00'.repeat(24) + '8000000000000001', '12'.repeat(64), '']) {
    const out = same(mk(fixed, 100_000, { calldata: hex(data) }))
    assert.equal(out.kind, 'success')
    assert.equal(out.output.length, 0xe0 * 2)
  }
})
