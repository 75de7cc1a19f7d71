/**
 * eth_subscribe(kind, arg?): WebSocket-only push subscriptions: newHeads,
 * logs, newPendingTransactions, miniBlocks, stateChanges. Over HTTP it answers
 * -32004 (notifications need a persistent connection).
 */
import { defineMethod } from '../../method.js'
import { params, string, json, optional } from '../../params.js'
import { MethodNotSupportedError } from '../../errors.js'

/** The subscription id. */
export const eth_subscribe = defineMethod('eth_subscribe', params(string(64), optional(json)), (ctx, [kind, arg]) => {
  const subs = ctx.session.subscriptions
  if (subs === undefined) throw new MethodNotSupportedError('notifications not supported: eth_subscribe needs a WebSocket connection')
  return subs.subscribe(kind, arg)
})
