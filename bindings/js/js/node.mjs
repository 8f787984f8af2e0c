// Node's `import` entry: the same instance as `require` (one module, one BinancePayError class).
import api from './node.cjs';

export const { sign, signRequest, verifyWebhook, newNonce, decryptPayerDetail, BinancePayError } = api;
export default api;
