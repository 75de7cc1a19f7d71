/**
 * The EVM JIT (issue 6): hot contracts are compiled from bytecode to
 * JavaScript basic-block functions and run through the interpreter's hook
 * (`EvmOptions.jit` or `CodeCache.jit`). See docs/jit.md.
 */
export { Jit, type JitOptions, type JitStats } from './jit.js'
export { compile, JitCompileError, type CompiledCode, type CompileOptions } from './compiler.js'
export { analyze, type Analysis, type Block } from './analysis.js'
