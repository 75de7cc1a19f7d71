/**
 * eth_feeHistory(blockCount, newestBlock, rewardPercentiles?): base fees,
 * gas-used ratios and tip percentiles. blockCount ≤ MAX_FEE_HISTORY_BLOCKS;
 * percentiles must be ascending within [0, 100].
 */
import { defineMethod } from '../../method.js'
import { params, optional, arrayOf, quantityNumber, type Validator } from '../../params.js'
import { blockNumberOrTag } from '../../format.js'
import { requireBackend } from '../../context.js'
import { InvalidParamsError } from '../../errors.js'
import { MAX_FEE_HISTORY_BLOCKS, MAX_FEE_HISTORY_PERCENTILES } from '../../server/limits.js'
import { toQuantity } from '../../../primitives/hex.js'

const percentile: Validator<number> = (v, path) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) throw new InvalidParamsError(`invalid ${path}: expected a number in [0, 100]`)
  return v
}

/** The fee history object. */
export const eth_feeHistory = defineMethod(
  'eth_feeHistory',
  params(quantityNumber, blockNumberOrTag, optional(arrayOf(percentile, MAX_FEE_HISTORY_PERCENTILES))),
  (ctx, [count, newest, pcts]) => {
    if (count < 1 || count > MAX_FEE_HISTORY_BLOCKS) throw new InvalidParamsError(`invalid params[0]: blockCount must be between 1 and ${MAX_FEE_HISTORY_BLOCKS}`)
    const ps = pcts ?? []
    for (let i = 1; i < ps.length; i++) if (ps[i]! < ps[i - 1]!) throw new InvalidParamsError('invalid params[2]: reward percentiles must be ascending')
    const h = requireBackend(ctx).feeHistory(count, newest, ps)
    const out: Record<string, unknown> = {
      oldestBlock: toQuantity(h.oldestBlock),
      baseFeePerGas: h.baseFeePerGas.map(toQuantity),
      gasUsedRatio: h.gasUsedRatio,
      baseFeePerBlobGas: h.baseFeePerBlobGas.map(toQuantity),
      blobGasUsedRatio: h.blobGasUsedRatio,
    }
    if (h.reward !== undefined) out.reward = h.reward.map((r) => r.map(toQuantity))
    return out
  },
)
