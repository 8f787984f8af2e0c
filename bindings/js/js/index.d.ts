/**
 * Binance Pay request signatures (HMAC-SHA512) and webhook verification (RSA-SHA256): the Rust
 * crate `binancepay-sign` compiled to WebAssembly.
 */

/** Epoch milliseconds: a number, a bigint or a string of digits. */
export type Timestamp = number | bigint | string;

/** A body: a string (signed as its UTF-8 bytes) or bytes (signed as they are). */
export type Body = string | Uint8Array;

/** The four request headers. */
export interface SignedHeaders {
  'BinancePay-Timestamp': string;
  'BinancePay-Nonce': string;
  'BinancePay-Certificate-SN': string;
  'BinancePay-Signature': string;
}

export interface SignRequestOptions {
  /** Defaults to `Date.now()`. */
  timestamp?: Timestamp;
  /** 32 ASCII letters or digits; defaults to a fresh nonce from `crypto.getRandomValues`. */
  nonce?: string;
}

export interface VerifyWebhookOptions {
  /** When given, a timestamp further than this from `nowMs` makes the result `false`. */
  maxAgeSeconds?: number;
  /** The clock for `maxAgeSeconds` (epoch ms); defaults to `Date.now()`. */
  nowMs?: Timestamp;
}

/**
 * Malformed input. `message` names the field and the rule; `code` is stable:
 * `TIMESTAMP_SYNTAX`, `TIMESTAMP_IN_SECONDS`, `TIMESTAMP_TOO_LARGE`, `NONCE_LENGTH`,
 * `NONCE_CHARACTER`, `API_KEY_LENGTH`, `API_KEY_CHARACTER`, `API_SECRET_EMPTY`,
 * `SIGNATURE_BASE64`, `SIGNATURE_LENGTH`, `KEY_PEM`, `KEY_PEM_LABEL`, `KEY_BASE64`, `KEY_DER`,
 * `KEY_ALGORITHM`, `KEY_SIZE`, `KEY_PARAMETERS`, `KEY_REJECTED`, `RNG`, `PAYER_DETAIL_BASE64`,
 * `PAYER_DETAIL_TOO_SHORT`, `PAYER_DETAIL_AUTHENTICATION`, `PAYER_DETAIL_UTF8`, `ARGUMENT_TYPE`,
 * `ARGUMENT_RANGE`.
 */
export class BinancePayError extends Error {
  constructor(message: string, code: string);
  readonly name: 'BinancePayError';
  readonly code: string;
}

/** Upper-case hex HMAC-SHA512 of `timestamp\nnonce\nbody\n`, keyed with the API secret. */
export function sign(secret: string, timestamp: Timestamp, nonce: string, body: Body): string;

/** The four `BinancePay-*` headers of a request with this body. */
export function signRequest(
  apiKey: string,
  secret: string,
  body: Body,
  options?: SignRequestOptions,
): SignedHeaders;

/**
 * `true` when the base64 RSA-SHA256 signature verifies over `timestamp\nnonce\nbody\n` (the raw
 * body) under the PEM public key (and the timestamp is fresh, with `options.maxAgeSeconds`);
 * `false` for a well-formed signature that does not verify, or a stale timestamp.
 * Throws `BinancePayError` for a malformed key, signature, timestamp or nonce.
 */
export function verifyWebhook(
  publicKeyPem: string,
  timestamp: Timestamp,
  nonce: string,
  body: Body,
  signatureBase64: string,
  options?: VerifyWebhookOptions,
): boolean;

/** A fresh nonce: 32 ASCII letters from `crypto.getRandomValues`. */
export function newNonce(): string;

/**
 * The plaintext (UTF-8) of a `paymentInfo.payerDetail` value: base64 of a 12-byte IV, the
 * AES-GCM ciphertext and its 16-byte tag, under SHA-256 of the API secret. Throws
 * `BinancePayError` with `PAYER_DETAIL_AUTHENTICATION` (another secret, or altered data),
 * `PAYER_DETAIL_BASE64`, `PAYER_DETAIL_TOO_SHORT` or `PAYER_DETAIL_UTF8`.
 */
export function decryptPayerDetail(secret: string, data: string): string;

declare const api: {
  sign: typeof sign;
  signRequest: typeof signRequest;
  verifyWebhook: typeof verifyWebhook;
  newNonce: typeof newNonce;
  decryptPayerDetail: typeof decryptPayerDetail;
  BinancePayError: typeof BinancePayError;
};
export default api;
