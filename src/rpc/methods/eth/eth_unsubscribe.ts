/** eth_unsubscribe(id): stop one of this connection's subscriptions; false when unknown. */
import { defineMethod } from '../../method.js'
import { params, string } from '../../params.js'
import { MethodNotSupportedError } from '../../errors.js'

/** true when removed. */
export const eth_unsubscribe = defineMethod('eth_unsubscribe', params(string(66)), (ctx, [id]) => {
  const subs = ctx.session.subscriptions
  if (subs === undefined) throw new MethodNotSupportedError('notifications not supported: eth_unsubscribe needs a WebSocket connection')
  return subs.unsubscribe(id)
})
