/**
 * The method registry's contents: every JSON-RPC method this node serves,
 * one file per method under `methods/<namespace>/`. Add a method by writing
 * its file and listing it here.
 */
import type { RpcMethod } from '../method.js'
import { web3_clientVersion } from './web3/web3_clientVersion.js'
import { web3_sha3 } from './web3/web3_sha3.js'
import { net_version } from './net/net_version.js'
import { net_listening } from './net/net_listening.js'
import { net_peerCount } from './net/net_peerCount.js'
import { eth_chainId } from './eth/eth_chainId.js'
import { eth_accounts } from './eth/eth_accounts.js'
import { eth_syncing } from './eth/eth_syncing.js'
import { eth_sign } from './eth/eth_sign.js'
import { eth_signTypedData_v4 } from './eth/eth_signTypedData_v4.js'
import { personal_sign } from './personal/personal_sign.js'
import { eth_blockNumber } from './eth/eth_blockNumber.js'
import { eth_getBalance } from './eth/eth_getBalance.js'
import { eth_getCode } from './eth/eth_getCode.js'
import { eth_getStorageAt } from './eth/eth_getStorageAt.js'
import { eth_getTransactionCount } from './eth/eth_getTransactionCount.js'
import { eth_call } from './eth/eth_call.js'
import { eth_estimateGas } from './eth/eth_estimateGas.js'
import { eth_createAccessList } from './eth/eth_createAccessList.js'
import { eth_gasPrice } from './eth/eth_gasPrice.js'
import { eth_maxPriorityFeePerGas } from './eth/eth_maxPriorityFeePerGas.js'
import { eth_feeHistory } from './eth/eth_feeHistory.js'
import { eth_blobBaseFee } from './eth/eth_blobBaseFee.js'
import { eth_sendRawTransaction } from './eth/eth_sendRawTransaction.js'
import { eth_sendTransaction } from './eth/eth_sendTransaction.js'
import { eth_sendRawTransactionSync } from './eth/eth_sendRawTransactionSync.js'
import { realtime_sendRawTransaction } from './realtime/realtime_sendRawTransaction.js'
import { eth_callAfter } from './eth/eth_callAfter.js'
import { eth_getTransactionByHash } from './eth/eth_getTransactionByHash.js'
import { eth_getTransactionByBlockNumberAndIndex } from './eth/eth_getTransactionByBlockNumberAndIndex.js'
import { eth_getTransactionByBlockHashAndIndex } from './eth/eth_getTransactionByBlockHashAndIndex.js'
import { eth_getTransactionReceipt } from './eth/eth_getTransactionReceipt.js'
import { eth_getBlockReceipts } from './eth/eth_getBlockReceipts.js'
import { eth_getBlockByNumber } from './eth/eth_getBlockByNumber.js'
import { eth_getBlockByHash } from './eth/eth_getBlockByHash.js'
import { eth_getBlockTransactionCountByNumber } from './eth/eth_getBlockTransactionCountByNumber.js'
import { eth_getBlockTransactionCountByHash } from './eth/eth_getBlockTransactionCountByHash.js'
import { eth_getLogs } from './eth/eth_getLogs.js'
import { eth_newFilter } from './eth/eth_newFilter.js'
import { eth_newBlockFilter } from './eth/eth_newBlockFilter.js'
import { eth_newPendingTransactionFilter } from './eth/eth_newPendingTransactionFilter.js'
import { eth_getFilterChanges } from './eth/eth_getFilterChanges.js'
import { eth_getFilterLogs } from './eth/eth_getFilterLogs.js'
import { eth_uninstallFilter } from './eth/eth_uninstallFilter.js'
import { eth_subscribe } from './eth/eth_subscribe.js'
import { eth_unsubscribe } from './eth/eth_unsubscribe.js'
import { eth_getProof } from './eth/eth_getProof.js'
import { tachyon_getProof } from './tachyon/tachyon_getProof.js'
import { evm_snapshot } from './evm/evm_snapshot.js'
import { evm_revert } from './evm/evm_revert.js'
import { evm_mine } from './evm/evm_mine.js'
import { evm_increaseTime } from './evm/evm_increaseTime.js'
import { anvil_setBalance } from './anvil/anvil_setBalance.js'
import { anvil_setCode } from './anvil/anvil_setCode.js'
import { anvil_setNonce } from './anvil/anvil_setNonce.js'
import { anvil_setStorageAt } from './anvil/anvil_setStorageAt.js'
import { anvil_impersonateAccount } from './anvil/anvil_impersonateAccount.js'
import { anvil_stopImpersonatingAccount } from './anvil/anvil_stopImpersonatingAccount.js'

/** Methods that need no chain (served in config-only mode). */
export const NO_CHAIN_METHODS: readonly RpcMethod[] = [
  web3_clientVersion, web3_sha3, net_version, net_listening, net_peerCount,
  eth_chainId, eth_accounts, eth_syncing, eth_sign, eth_signTypedData_v4, personal_sign,
]

/** Every method; chain-backed ones answer -32004 while no backend is attached. */
export const ALL_METHODS: readonly RpcMethod[] = [
  ...NO_CHAIN_METHODS,
  eth_blockNumber, eth_getBalance, eth_getCode, eth_getStorageAt, eth_getTransactionCount,
  eth_call, eth_estimateGas, eth_createAccessList, eth_gasPrice, eth_maxPriorityFeePerGas, eth_feeHistory, eth_blobBaseFee,
  eth_sendRawTransaction, eth_sendTransaction, eth_sendRawTransactionSync, realtime_sendRawTransaction, eth_callAfter,
  eth_getTransactionByHash, eth_getTransactionByBlockNumberAndIndex, eth_getTransactionByBlockHashAndIndex,
  eth_getTransactionReceipt, eth_getBlockReceipts, eth_getBlockByNumber, eth_getBlockByHash,
  eth_getBlockTransactionCountByNumber, eth_getBlockTransactionCountByHash, eth_getLogs,
  eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter, eth_getFilterChanges, eth_getFilterLogs, eth_uninstallFilter,
  eth_subscribe, eth_unsubscribe, eth_getProof, tachyon_getProof,
  evm_snapshot, evm_revert, evm_mine, evm_increaseTime,
  anvil_setBalance, anvil_setCode, anvil_setNonce, anvil_setStorageAt, anvil_impersonateAccount, anvil_stopImpersonatingAccount,
]
