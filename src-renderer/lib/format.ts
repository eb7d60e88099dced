/** Dates and durations as the tables show them: short, and the same in every row. */

const DAY = 86_400_000;

/** "today", "3 d ago", "in 5 d", "2 mo ago"… for a date or a timestamp, from `now`. */
export function relative(iso: string, now = Date.now()): string {
  const days = Math.round((Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso) - now) / DAY);
  if (days === 0) return 'today';
  const span = Math.abs(days);
  const amount = span < 60 ? `${span} d` : span < 730 ? `${Math.round(span / 30.4)} mo` : `${Math.round(span / 365.25)} y`;
  return days < 0 ? `${amount} ago` : `in ${amount}`;
}

/** How long ago something was created: "12 d", "5 mo", "2 y". */
export function age(iso: string, now = Date.now()): string {
  const days = Math.max(0, Math.floor((now - Date.parse(iso)) / DAY));
  return days < 60 ? `${days} d` : days < 730 ? `${Math.round(days / 30.4)} mo` : `${Math.round(days / 365.25)} y`;
}

/** A timestamp as the person's local date and time, to the minute. */
export function localTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A timestamp as the person's local date and time, to the second: what an audit log needs to order events. */
export function localTimeSeconds(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}
