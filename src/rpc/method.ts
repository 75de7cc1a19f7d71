/**
 * How a JSON-RPC method is declared: a name, a params validator producing a
 * typed tuple, and a handler. `defineMethod` erases the types into an
 * `RpcMethod` the registry can store and the dispatcher can call, so each
 * method file is typed end to end without `any`.
 */
import type { RpcContext } from './context.js'
import type { ParamsValidator } from './params.js'

/** A method handler: typed params in, JSON-ready result (hex strings, objects, null) out. */
export type RpcHandler<P, R> = (ctx: RpcContext, params: P) => R | Promise<R>

/** One call's outcome in `RpcMethod.invokeMany`: its result, or what it threw. */
export type Settled = { ok: true; value: unknown } | { ok: false; error: unknown }

/**
 * A handler for many calls of one method at once (from one JSON-RPC batch):
 * typed params of each call in, one outcome per call out, in order, each as
 * the single-call handler would have answered.
 */
export type RpcManyHandler<P> = (ctx: RpcContext, calls: P[]) => Promise<Settled[]>

/** A method as the registry stores it. */
export interface RpcMethod {
  readonly name: string
  /** Validate `params` and run the handler. */
  invoke(ctx: RpcContext, params: readonly unknown[]): Promise<unknown>
  /**
   * Optional: validate and run many calls of a batch together (same outcome
   * per call as `invoke`), so per-call costs (a transaction's admission) are
   * paid once per batch.
   */
  invokeMany?(ctx: RpcContext, calls: readonly (readonly unknown[])[]): Promise<Settled[]>
}

/**
 * Declare a method: `defineMethod('eth_getBalance', params(address, optional(blockSelector)), (ctx, [a, b]) => …)`.
 * The validator runs first, so the handler only sees well-formed params.
 * `many`, when given, serves the calls of one batch together (`invokeMany`).
 */
export function defineMethod<P, R>(name: string, validate: ParamsValidator<P>, handler: RpcHandler<P, R>, many?: RpcManyHandler<P>): RpcMethod {
  const method: RpcMethod = {
    name,
    async invoke(ctx, raw) {
      return handler(ctx, validate(raw))
    },
  }
  if (many === undefined) return method
  return {
    ...method,
    async invokeMany(ctx, calls) {
      const out: Settled[] = new Array(calls.length)
      const valid: P[] = []
      const at: number[] = []
      for (let i = 0; i < calls.length; i++) {
        try {
          valid.push(validate(calls[i]!))
          at.push(i)
        } catch (error) {
          out[i] = { ok: false, error }
        }
      }
      let done: Settled[]
      try {
        done = valid.length === 0 ? [] : await many(ctx, valid)
      } catch (error) {
        done = valid.map(() => ({ ok: false, error }))
      }
      for (let k = 0; k < at.length; k++) out[at[k]!] = done[k]!
      return out
    },
  }
}

/** A name → method map built from a list, rejecting duplicates. */
export function buildRegistry(methods: readonly RpcMethod[]): Map<string, RpcMethod> {
  const m = new Map<string, RpcMethod>()
  for (const method of methods) {
    if (m.has(method.name)) throw new Error(`duplicate RPC method ${method.name}`)
    m.set(method.name, method)
  }
  return m
}
