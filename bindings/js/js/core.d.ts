/**
 * `binancepay-sign/core`: for runtimes that do not compile WebAssembly from bytes at run time
 * (Cloudflare Workers, Vercel Edge): import the `.wasm` as a module and hand it to `init` once.
 */
import api from './index.js';

export {
  BinancePayError,
  sign,
  signRequest,
  verifyWebhook,
  newNonce,
  decryptPayerDetail,
  Timestamp,
  Body,
  SignedHeaders,
  SignRequestOptions,
  VerifyWebhookOptions,
} from './index.js';

/** Instantiates the package (once) from a compiled `WebAssembly.Module` or the `.wasm` bytes. */
export function init(source: WebAssembly.Module | BufferSource): typeof api;
