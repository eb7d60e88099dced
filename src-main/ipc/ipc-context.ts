/**
 * What every channel's handler is given: the services (one composition root, core/services.ts),
 * facts about the app, a way to tell the renderer(s) something, the clipboard, and the recent check
 * results (kept here so that a report can be copied without the renderer sending it back).
 */
import type { Clipboard } from '../core/clipboard.ts';
import type { SecretClipboard } from '../core/keys/secret-clipboard.ts';
import type { Services } from '../core/services.ts';
import type { AppInfo, CheckView, EventName, Events } from '../shared/contract.ts';

export interface IpcContext {
  services: Services;
  info: Omit<AppInfo, 'schemaVersion'>;
  /** Sends an event to the renderer(s). */
  emit<E extends EventName>(event: E, payload: Events[E]): void;
  clipboard: Clipboard;
  /** Copies secrets to that clipboard and takes them off it again. */
  secretClipboard: SecretClipboard;
  results: RecentResults;
  /**
   * Writes an export where the person chooses (the app's save dialog), readable by them only;
   * resolves with the path, or null when they cancelled.
   */
  saveFile(suggestedName: string, content: string): Promise<string | null>;
}

/** The latest check results by id, a bounded number of them. */
export class RecentResults {
  private readonly views = new Map<string, CheckView>();
  private readonly limit: number;

  constructor(limit = 200) {
    this.limit = limit;
  }

  add(view: CheckView): CheckView {
    this.views.set(view.id, view);
    if (this.views.size > this.limit) this.views.delete(this.views.keys().next().value!);
    return view;
  }

  get(id: string): CheckView | undefined {
    return this.views.get(id);
  }
}
