/**
 * The documentation sites the app may open in the person's browser. Anything else a page asks to
 * open (a link in a server's answer, say) is refused: `shell.openExternal` hands a URL to the
 * operating system, which may run any handler for it. Runs anywhere.
 */
export const EXTERNAL_DOC_HOSTS: readonly string[] = ['docs.thewalletcrew.io', 'www.airwallex.com', 'www.electronjs.org'];

/** True for an https URL on one of the documentation hosts, with no credentials in it. */
export function isAllowedExternalUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === 'https:' && url.username === '' && url.password === '' && url.port === '' && EXTERNAL_DOC_HOSTS.includes(url.hostname);
}
