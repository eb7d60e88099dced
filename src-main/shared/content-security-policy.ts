/**
 * The renderer's Content-Security-Policy: only its own scripts and styles, no network at all (every
 * call goes through window.api), no frames, no plugins, no forms posting anywhere. Served as a
 * response header by the app:// protocol and by the browser tests' server alike.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The custom scheme and host the packaged renderer is served from, instead of file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'tenant-key-vault';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
