/** The API serves JSON only, so its CSP forbids everything; the docs UI needs its own assets. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";
const DOCS_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

/** The header sets, computed once: the API's and the docs UI's (which differ only in CSP). */
export function securityHeaders(options: { hsts: boolean }): {
  api: Record<string, string>;
  docs: Record<string, string>;
} {
  const common: Record<string, string> = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    ...(options.hsts ? { "strict-transport-security": "max-age=31536000; includeSubDomains" } : {}),
  };
  return {
    api: { ...common, "content-security-policy": API_CSP },
    docs: { ...common, "content-security-policy": DOCS_CSP },
  };
}
