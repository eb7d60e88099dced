/**
 * A plain copy of a value that may hold reactive state. A `$state` object or array is a Proxy, which
 * Electron's contextBridge cannot copy ("An object could not be cloned."), so nothing reactive may
 * reach `window.api` as it is.
 */
export function plain<T>(value: T): T {
  return $state.snapshot(value) as T;
}
