/**
 * Constants of the QMDB format used by Tachyon. Everything marked
 * "root-defining" changes the state root when changed: two nodes agree on the
 * root only if they agree on these. They are documented in `docs/qmdb.md`.
 */

/** Root-defining: number of shards; a key hash goes to shard `kh[0] >> (8 - SHARD_BITS)`. */
export const SHARD_BITS = 2
/** Root-defining: `2 ** SHARD_BITS` shards, each with its own entry log and tree. */
export const SHARD_COUNT = 1 << SHARD_BITS
/** Root-defining: log2 of the number of leaves (entries) per twig. */
export const TWIG_SHIFT = 11
/** Root-defining: entries per twig (2048). */
export const LEAVES_PER_TWIG = 1 << TWIG_SHIFT
/** Bytes of ActiveBits per twig (one bit per leaf). */
export const ACTIVE_BITS_BYTES = LEAVES_PER_TWIG / 8
/** Root-defining: level of a twig root's inputs (`twigRoot = H(11, leftRoot, L3)`). */
export const TWIG_ROOT_LEVEL = 11
/** Level of the upper tree's leaves (the twig roots); node(13, i) = H(12, twig 2i, twig 2i+1). */
export const FIRST_UPPER_LEVEL = 12
/** Highest level the upper tree can reach (2^52 twigs: far beyond any offset). */
export const MAX_LEVEL = 64
/** Root-defining: compaction runs in a shard only when it holds at least this many active entries. */
export const COMPACT_MIN_ACTIVE = 1024
/** Root-defining: compaction runs when active / (snEnd - snStart) < COMPACT_RATIO_NUM / COMPACT_RATIO_DEN. */
export const COMPACT_RATIO_NUM = 7
/** See COMPACT_RATIO_NUM. */
export const COMPACT_RATIO_DEN = 10
/** Root-defining: live entries compacted per update while compaction is due. */
export const COMPACT_PER_UPDATE = 1
/** Root-defining: live entries compacted per create while compaction is due. */
export const COMPACT_PER_CREATE = 2
/** Root-defining: the change ordinal inside a block takes the low 24 bits of an entry's version. */
export const IN_BLOCK_IDX_BITS = 24
/** Largest number of changes one block may commit (ordinals must fit IN_BLOCK_IDX_BITS). */
export const MAX_CHANGES_PER_BLOCK = (1 << IN_BLOCK_IDX_BITS) - 1
/** Largest key, in bytes (1-byte length field). */
export const MAX_KEY_BYTES = 255
/** Largest value, in bytes (3-byte length field). */
export const MAX_VALUE_BYTES = (1 << 24) - 1
/** Default segment size of an entry log (not root-defining: offsets never enter the tree). */
export const DEFAULT_SEGMENT_BYTES = 256 * 1024 * 1024
