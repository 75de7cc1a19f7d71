/** The startup banner, anvil style: accounts with balances, their private keys, the mnemonic and path, chain id and URLs. */
import type { DevConfig } from './config.js'
import type { DevAccount } from './accounts.js'
import { toChecksumAddress } from '../crypto/address.js'
import { bytesToHex } from '../primitives/hex.js'

function formatEther(wei: bigint): string {
  const whole = wei / 10n ** 18n
  const frac = (wei % 10n ** 18n).toString().padStart(18, '0').replace(/0+$/, '')
  return frac.length === 0 ? whole.toString() : `${whole}.${frac}`
}

/** The banner text printed to stdout on start. */
export function formatBanner(config: DevConfig, accounts: readonly DevAccount[], url: string, wsUrl: string, version: string): string {
  const lines: string[] = []
  lines.push(`Tachyon ${version}: real-time EVM dev node`, '')
  lines.push('Available Accounts', '==================', '')
  for (const a of accounts) lines.push(`(${a.index}) ${toChecksumAddress(a.address)} (${formatEther(config.balanceWei)} ETH)`)
  lines.push('', 'Private Keys', '==================', '')
  for (const a of accounts) lines.push(`(${a.index}) ${bytesToHex(a.privateKey)}`)
  lines.push('', 'Wallet', '==================', `Mnemonic:          ${config.mnemonic}`, `Derivation path:   m/44'/60'/0'/0/`, '')
  lines.push(`Chain ID:          ${config.chainId}`)
  lines.push(`Block time:        ${config.blockTimeMs}ms (mini-blocks every ≤${config.miniBlockTimeMs}ms)`)
  lines.push(`Data directory:    ${config.dataDir}${config.fresh ? ' (fresh)' : ''}`, '')
  lines.push(`Listening on ${url} (WebSocket: ${wsUrl})`, '')
  return lines.join('\n')
}
