/**
 * How the vault says that it changed: each service announces its own changes, once committed, with
 * a reason a person could read ("key added"); the desktop app's main process listens once and
 * relays them to its windows, which redraw. The command line does not listen.
 */
export type ChangeListener = (reason: string) => void;

export class VaultEvents {
  private readonly listeners = new Set<ChangeListener>();

  /** Listens to every change; returns the way to stop. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Announces a committed change. A listener that throws never undoes it, nor stops the others. */
  changed(reason: string): void {
    for (const listener of this.listeners) {
      try {
        listener(reason);
      } catch {
        // a window that cannot be told is not the vault's failure
      }
    }
  }
}
