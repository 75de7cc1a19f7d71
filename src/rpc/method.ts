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

/** A method as the registry stores it. */
export interface RpcMethod {
  readonly name: string
  /** Validate `params` and run the handler. */
  invoke(ctx: RpcContext, params: readonly unknown[]): Promise<unknown>
}

/**
 * Declare a method: `defineMethod('eth_getBalance', params(address, optional(blockSelector)), (ctx, [a, b]) => …)`.
 * The validator runs first, so the handler only sees well-formed params.
 */
export function defineMethod<P, R>(name: string, validate: ParamsValidator<P>, handler: RpcHandler<P, R>): RpcMethod {
  return {
    name,
    async invoke(ctx, raw) {
      return handler(ctx, validate(raw))
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
