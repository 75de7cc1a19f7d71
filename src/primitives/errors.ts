/**
 * Typed errors for the primitives layer. Every decoder in the node throws one
 * of these (never a bare `Error`) so callers can map bad input to a precise
 * response: a JSON-RPC code, a rejected transaction, a failed fixture.
 */

/** Base class for all malformed-input errors raised while decoding bytes, hex or RLP. */
export class DecodeError extends Error {
  override name = 'DecodeError'
}

/** A hex string that is not valid: missing `0x`, odd length, bad character or wrong size. */
export class HexError extends DecodeError {
  override name = 'HexError'
}

/** Bytes that are not canonical RLP: truncated, non-minimal, trailing data, leading zeros. */
export class RlpError extends DecodeError {
  override name = 'RlpError'
}

/** A value outside the range its type allows (e.g. a u256 above 2^256-1, a negative length). */
export class RangeError256 extends DecodeError {
  override name = 'RangeError256'
}

/** Invalid signing input: a private key that is not a valid secp256k1 scalar (zero, at or above the curve order, not 32 bytes), or a message hash that is not 32 bytes. */
export class KeyError extends DecodeError {
  override name = 'KeyError'
}
