/**
 * Stale answers never overwrite newer ones: each call takes a ticket, and only the answer to the
 * newest ticket is applied (a slow list that arrives after a faster, later one is dropped).
 */
export class Latest {
  private ticket = 0;

  /** Takes a ticket; the function returned says whether it is still the newest. */
  begin(): () => boolean {
    const mine = ++this.ticket;
    return () => mine === this.ticket;
  }
}
