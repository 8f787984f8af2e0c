// ---- binancepay-sign loader (bindings/js/js/facade.js) ----
// Runs after wasm-bindgen's `no-modules` glue, which defines `wasm_bindgen` in this module's
// scope (nothing global). Uses no Node built-ins: only WebAssembly, atob and crypto.

/** Malformed input: `message` names the field and the rule, `code` is stable. */
class BinancePayError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'BinancePayError';
    this.code = code;
  }
}

// Web Crypto: `globalThis.crypto` (browsers, workers, Node >= 19) unless a loader sets another
// (node.cjs, for Node 18 without the global).
let randomSource = null;
function fillRandom(bytes) {
  (randomSource || globalThis.crypto).getRandomValues(bytes);
}

function decodeBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes;
}

// Instantiates the module synchronously from its bytes or a compiled WebAssembly.Module.
function load(source) {
  wasm_bindgen.initSync({ module: source });
  wasm_bindgen.__configure(BinancePayError, fillRandom);
  const signParts = wasm_bindgen.__signRequest;
  const api = {
    sign: wasm_bindgen.sign,
    signRequest(apiKey, secret, body, options) {
      // `timestamp nonce signature`, checked and computed by the module (apiKey included).
      const parts = signParts(apiKey, secret, body, options);
      const a = parts.indexOf(' ');
      const b = parts.indexOf(' ', a + 1);
      return {
        'BinancePay-Timestamp': parts.slice(0, a),
        'BinancePay-Nonce': parts.slice(a + 1, b),
        'BinancePay-Certificate-SN': apiKey,
        'BinancePay-Signature': parts.slice(b + 1),
      };
    },
    newNonce: wasm_bindgen.newNonce,
    BinancePayError,
  };
  if (typeof wasm_bindgen.verifyWebhook === 'function') {
    api.verifyWebhook = wasm_bindgen.verifyWebhook;
  }
  if (typeof wasm_bindgen.decryptPayerDetail === 'function') {
    api.decryptPayerDetail = wasm_bindgen.decryptPayerDetail;
  }
  Object.defineProperty(api, '__setRandomSource', {
    value(source) {
      randomSource = source;
    },
  });
  return Object.freeze(api);
}
