/**
 * The shared opcode table: one row per opcode with its mnemonic, static
 * (base) gas, stack inputs/outputs, immediate size, the fork that introduced
 * it and control-flow flags. The interpreter derives its per-fork dispatch
 * tables from this, and the JIT must do the same, so that both tiers agree on
 * gas and stack rules (geth's JIT was dropped for diverging; see
 * shared/research/evm-and-jit.md §6).
 *
 * Base gas is the cost charged before the opcode runs. For EIP-2929 opcodes
 * (SLOAD, BALANCE, EXT*, CALL*) it is the warm cost; the cold surcharge and
 * every other dynamic part (memory, copy words, EXP bytes, SSTORE, LOG data,
 * CREATE init-code words, call value/new-account) is charged by the opcode's
 * handler and marked with `dynamicGas`.
 */
import { type Fork, FORKS, forkIndex } from '../eth/fork.js'

/** Flags describing an opcode's control-flow and gas behaviour. */
export interface OpInfo {
  /** Opcode byte. */
  readonly code: number
  /** Mnemonic, e.g. `PUSH1`. */
  readonly name: string
  /** Static gas charged before execution (warm cost for EIP-2929 opcodes). */
  readonly baseGas: number
  /** Stack items popped. */
  readonly inputs: number
  /** Stack items pushed. */
  readonly outputs: number
  /** Bytes of immediate data following the opcode (PUSHn). */
  readonly immediate: number
  /** First fork in which the opcode exists. */
  readonly since: Fork
  /** Ends the frame (STOP, RETURN, REVERT, INVALID, SELFDESTRUCT). */
  readonly terminates: boolean
  /** Changes the pc non-sequentially (JUMP, JUMPI). */
  readonly jumps: boolean
  /** Has a gas part computed at run time (memory, cold access, copies, ...). */
  readonly dynamicGas: boolean
  /** Reads or writes state or calls out (must not be reordered by a JIT). */
  readonly host: boolean
  /** Observes remaining gas (GAS, SSTORE's stipend check, CALL* / CREATE*). */
  readonly readsGas: boolean
  /** Not allowed in a static context (state-modifying). */
  readonly writes: boolean
}

/** Gas constants of the schedule (Berlin and later), named as in the EIPs. */
export const G = {
  ZERO: 0,
  JUMPDEST: 1,
  BASE: 2,
  VERYLOW: 3,
  LOW: 5,
  MID: 8,
  HIGH: 10,
  EXP: 10,
  EXP_BYTE: 50,
  KECCAK: 30,
  KECCAK_WORD: 6,
  COPY_WORD: 3,
  MEMORY: 3,
  LOG: 375,
  LOG_TOPIC: 375,
  LOG_DATA: 8,
  CREATE: 32000,
  INITCODE_WORD: 2,
  CODE_DEPOSIT: 200,
  CALL_VALUE: 9000,
  CALL_STIPEND: 2300,
  NEW_ACCOUNT: 25000,
  SELFDESTRUCT: 5000,
  WARM_ACCESS: 100,
  COLD_ACCOUNT_ACCESS: 2600,
  COLD_SLOAD: 2100,
  SSTORE_SET: 20000,
  SSTORE_RESET: 2900,
  SSTORE_CLEARS_REFUND: 4800,
  SSTORE_SENTRY: 2300,
  TLOAD: 100,
  TSTORE: 100,
  BLOCKHASH: 20,
} as const

/** Maximum call depth. */
export const MAX_CALL_DEPTH = 1024
/** Maximum stack height. */
export const MAX_STACK = 1024
/** EIP-170 maximum deployed code size. */
export const MAX_CODE_SIZE = 24576
/** EIP-3860 maximum init-code size. */
export const MAX_INITCODE_SIZE = 2 * MAX_CODE_SIZE

interface Row {
  name: string
  gas: number
  i: number
  o: number
  since?: Fork
  flags?: string
}

const rows = new Map<number, Row>()
function def(code: number, name: string, gas: number, i: number, o: number, flags = '', since: Fork = 'Frontier'): void {
  rows.set(code, { name, gas, i, o, since, flags })
}

// flags: t = terminates, j = jumps, d = dynamic gas, h = host, g = reads gas, w = writes (static-forbidden)
def(0x00, 'STOP', 0, 0, 0, 't')
def(0x01, 'ADD', G.VERYLOW, 2, 1)
def(0x02, 'MUL', G.LOW, 2, 1)
def(0x03, 'SUB', G.VERYLOW, 2, 1)
def(0x04, 'DIV', G.LOW, 2, 1)
def(0x05, 'SDIV', G.LOW, 2, 1)
def(0x06, 'MOD', G.LOW, 2, 1)
def(0x07, 'SMOD', G.LOW, 2, 1)
def(0x08, 'ADDMOD', G.MID, 3, 1)
def(0x09, 'MULMOD', G.MID, 3, 1)
def(0x0a, 'EXP', G.HIGH, 2, 1, 'd')
def(0x0b, 'SIGNEXTEND', G.LOW, 2, 1)
def(0x10, 'LT', G.VERYLOW, 2, 1)
def(0x11, 'GT', G.VERYLOW, 2, 1)
def(0x12, 'SLT', G.VERYLOW, 2, 1)
def(0x13, 'SGT', G.VERYLOW, 2, 1)
def(0x14, 'EQ', G.VERYLOW, 2, 1)
def(0x15, 'ISZERO', G.VERYLOW, 1, 1)
def(0x16, 'AND', G.VERYLOW, 2, 1)
def(0x17, 'OR', G.VERYLOW, 2, 1)
def(0x18, 'XOR', G.VERYLOW, 2, 1)
def(0x19, 'NOT', G.VERYLOW, 1, 1)
def(0x1a, 'BYTE', G.VERYLOW, 2, 1)
def(0x1b, 'SHL', G.VERYLOW, 2, 1, '', 'Constantinople')
def(0x1c, 'SHR', G.VERYLOW, 2, 1, '', 'Constantinople')
def(0x1d, 'SAR', G.VERYLOW, 2, 1, '', 'Constantinople')
def(0x20, 'KECCAK256', G.KECCAK, 2, 1, 'd')
def(0x30, 'ADDRESS', G.BASE, 0, 1)
def(0x31, 'BALANCE', G.WARM_ACCESS, 1, 1, 'dh')
def(0x32, 'ORIGIN', G.BASE, 0, 1)
def(0x33, 'CALLER', G.BASE, 0, 1)
def(0x34, 'CALLVALUE', G.BASE, 0, 1)
def(0x35, 'CALLDATALOAD', G.VERYLOW, 1, 1)
def(0x36, 'CALLDATASIZE', G.BASE, 0, 1)
def(0x37, 'CALLDATACOPY', G.VERYLOW, 3, 0, 'd')
def(0x38, 'CODESIZE', G.BASE, 0, 1)
def(0x39, 'CODECOPY', G.VERYLOW, 3, 0, 'd')
def(0x3a, 'GASPRICE', G.BASE, 0, 1)
def(0x3b, 'EXTCODESIZE', G.WARM_ACCESS, 1, 1, 'dh')
def(0x3c, 'EXTCODECOPY', G.WARM_ACCESS, 4, 0, 'dh')
def(0x3d, 'RETURNDATASIZE', G.BASE, 0, 1, '', 'Byzantium')
def(0x3e, 'RETURNDATACOPY', G.VERYLOW, 3, 0, 'd', 'Byzantium')
def(0x3f, 'EXTCODEHASH', G.WARM_ACCESS, 1, 1, 'dh', 'Constantinople')
def(0x40, 'BLOCKHASH', G.BLOCKHASH, 1, 1, 'h')
def(0x41, 'COINBASE', G.BASE, 0, 1)
def(0x42, 'TIMESTAMP', G.BASE, 0, 1)
def(0x43, 'NUMBER', G.BASE, 0, 1)
def(0x44, 'PREVRANDAO', G.BASE, 0, 1)
def(0x45, 'GASLIMIT', G.BASE, 0, 1)
def(0x46, 'CHAINID', G.BASE, 0, 1, '', 'Istanbul')
def(0x47, 'SELFBALANCE', G.LOW, 0, 1, 'h', 'Istanbul')
def(0x48, 'BASEFEE', G.BASE, 0, 1, '', 'London')
def(0x49, 'BLOBHASH', G.VERYLOW, 1, 1, '', 'Cancun')
def(0x4a, 'BLOBBASEFEE', G.BASE, 0, 1, '', 'Cancun')
def(0x50, 'POP', G.BASE, 1, 0)
def(0x51, 'MLOAD', G.VERYLOW, 1, 1, 'd')
def(0x52, 'MSTORE', G.VERYLOW, 2, 0, 'd')
def(0x53, 'MSTORE8', G.VERYLOW, 2, 0, 'd')
def(0x54, 'SLOAD', G.WARM_ACCESS, 1, 1, 'dh')
def(0x55, 'SSTORE', 0, 2, 0, 'dhgw')
def(0x56, 'JUMP', 8, 1, 0, 'j')
def(0x57, 'JUMPI', 10, 2, 0, 'j')
def(0x58, 'PC', G.BASE, 0, 1)
def(0x59, 'MSIZE', G.BASE, 0, 1)
def(0x5a, 'GAS', G.BASE, 0, 1, 'g')
def(0x5b, 'JUMPDEST', G.JUMPDEST, 0, 0)
def(0x5c, 'TLOAD', G.TLOAD, 1, 1, 'h', 'Cancun')
def(0x5d, 'TSTORE', G.TSTORE, 2, 0, 'hw', 'Cancun')
def(0x5e, 'MCOPY', G.VERYLOW, 3, 0, 'd', 'Cancun')
def(0x5f, 'PUSH0', G.BASE, 0, 1, '', 'Shanghai')
for (let n = 1; n <= 32; n++) def(0x5f + n, `PUSH${n}`, G.VERYLOW, 0, 1)
for (let n = 1; n <= 16; n++) def(0x7f + n, `DUP${n}`, G.VERYLOW, n, n + 1)
for (let n = 1; n <= 16; n++) def(0x8f + n, `SWAP${n}`, G.VERYLOW, n + 1, n + 1)
for (let n = 0; n <= 4; n++) def(0xa0 + n, `LOG${n}`, G.LOG + n * G.LOG_TOPIC, n + 2, 0, 'dhw')
def(0xf0, 'CREATE', G.CREATE, 3, 1, 'dhgw')
def(0xf1, 'CALL', G.WARM_ACCESS, 7, 1, 'dhg')
def(0xf2, 'CALLCODE', G.WARM_ACCESS, 7, 1, 'dhg')
def(0xf3, 'RETURN', 0, 2, 0, 'td')
def(0xf4, 'DELEGATECALL', G.WARM_ACCESS, 6, 1, 'dhg', 'Homestead')
def(0xf5, 'CREATE2', G.CREATE, 4, 1, 'dhgw', 'Constantinople')
def(0xfa, 'STATICCALL', G.WARM_ACCESS, 6, 1, 'dhg', 'Byzantium')
def(0xfd, 'REVERT', 0, 2, 0, 'td', 'Byzantium')
def(0xfe, 'INVALID', 0, 0, 0, 't')
def(0xff, 'SELFDESTRUCT', G.SELFDESTRUCT, 1, 0, 'tdhw')

/** Every defined opcode, indexed by opcode byte (undefined for unassigned bytes). */
export const OPCODES: readonly (OpInfo | undefined)[] = Array.from({ length: 256 }, (_, code) => {
  const r = rows.get(code)
  if (!r) return undefined
  const f = r.flags ?? ''
  const info: OpInfo = {
    code,
    name: r.name,
    baseGas: r.gas,
    inputs: r.i,
    outputs: r.o,
    immediate: code >= 0x60 && code <= 0x7f ? code - 0x5f : 0,
    since: r.since ?? 'Frontier',
    terminates: f.includes('t'),
    jumps: f.includes('j'),
    dynamicGas: f.includes('d'),
    host: f.includes('h'),
    readsGas: f.includes('g'),
    writes: f.includes('w'),
  }
  return Object.freeze(info)
})

/**
 * Dense per-fork tables for a dispatch loop. `gas[op]` is the base gas or -1
 * when the opcode is undefined in that fork; `minStack[op]` is the stack
 * height needed; `maxStack[op]` is the highest height allowed before the op
 * (so the result stays within 1024).
 */
export interface ForkTables {
  readonly fork: Fork
  readonly gas: Int32Array
  readonly minStack: Int32Array
  readonly maxStack: Int32Array
}

const tableCache: (ForkTables | undefined)[] = []

/** The dispatch tables for `fork` (built once per fork, then shared; read-only). */
export function forkTables(fork: Fork): ForkTables {
  const fi = forkIndex(fork)
  const cached = tableCache[fi]
  if (cached) return cached
  const gas = new Int32Array(256).fill(-1)
  const minStack = new Int32Array(256)
  const maxStack = new Int32Array(256).fill(MAX_STACK)
  for (const op of OPCODES) {
    if (!op || forkIndex(op.since) > fi) continue
    if (op.code === 0xfe) continue // INVALID stays -1: it is an exceptional halt
    gas[op.code] = op.baseGas
    minStack[op.code] = op.inputs
    maxStack[op.code] = MAX_STACK - Math.max(0, op.outputs - op.inputs)
  }
  const t: ForkTables = { fork, gas, minStack, maxStack }
  tableCache[fi] = t
  return t
}

/** Name of `op` (or `0xNN` for unassigned bytes). */
export function opName(op: number): string {
  return OPCODES[op]?.name ?? `0x${op.toString(16).padStart(2, '0')}`
}

void FORKS
