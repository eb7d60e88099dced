/**
 * Opening the vault in the desktop app. An inventory that cannot be opened, that lost its past (no
 * key listed while the keychain holds this vault's secrets) or that has a damaged page is reported
 * before any window opens, in core's words, with the newest backup to restore — what `tkv doctor
 * --restore` does for the CLI. Nothing is written until the person chooses; an inventory that lost
 * its past is never opened as a fresh vault, since a fresh vault would let its secrets be taken for
 * strays.
 */
import type { AppPaths } from './core/paths.ts';
import { backupsDir, listBackups, restoreBackup, type InventoryBackup } from './core/db/backups.ts';
import { toErrorInfo } from './core/errors.ts';
import { inventoryLostError, unreadableInventoryError, type Services } from './core/services.ts';
import type { SecretStore } from './core/secrets/secret-store.ts';
import { remedySentence } from './shared/remedies.ts';

/** A question in a message box (Electron's `dialog.showMessageBox` options); resolves with the button chosen. */
export interface Question {
  type: 'warning' | 'error';
  title: string;
  message: string;
  detail: string;
  buttons: string[];
  defaultId: number;
  cancelId: number;
}

export interface OpenVaultOptions {
  paths: AppPaths;
  /** Builds the services (opens and migrates the inventory); throws when it cannot be opened. */
  create(): Services;
  /** The keychain, to say what it still holds when the inventory cannot be opened. */
  secrets: SecretStore;
  ask(question: Question): Promise<number>;
  now?: () => Date;
}

type Trouble = { kind: 'unreadable' | 'lost' | 'damaged'; message: string; detail: string; services: Services | null };

/** How many times a restore is tried before the app gives up on the inventory (a backup may be bad too). */
const RESTORES = 3;

/**
 * The services, once the inventory opens soundly (restored first when the person chose to), or
 * null when the app should quit: the person chose to, or nothing could be restored.
 */
export async function openVault(options: OpenVaultOptions): Promise<Services | null> {
  const now = options.now ?? (() => new Date());
  for (let attempt = 0; ; attempt += 1) {
    const trouble = await findTrouble(options);
    if (!('kind' in trouble)) return trouble;
    const backups = listBackups(options.paths.inventoryFile);
    const newest: InventoryBackup | undefined = backups[0];
    const restorable = newest !== undefined && attempt < RESTORES;
    const buttons = [...(restorable ? [`Restore the backup of ${shownTime(newest.takenAt)}`] : []), ...(trouble.kind === 'damaged' ? ['Open anyway'] : []), 'Quit'];
    const choice = await options.ask({
      type: trouble.kind === 'damaged' ? 'warning' : 'error',
      title: 'Tenant Key Vault',
      message: trouble.message,
      detail: [trouble.detail, restorable ? `${backups.length === 1 ? 'One backup is' : `${backups.length} backups are`} in ${backupsDir(options.paths.inventoryFile)}; restoring keeps the current file aside, it deletes nothing.` : 'No backup is left to restore.']
        .filter(Boolean)
        .join('\n\n'),
      buttons,
      defaultId: 0,
      cancelId: buttons.length - 1,
    });
    const chosen = buttons[choice] ?? 'Quit';
    if (chosen === 'Open anyway' && trouble.services) return trouble.services;
    await trouble.services?.close().catch(() => undefined);
    if (chosen === 'Quit' || !restorable) return null;
    try {
      restoreBackup(options.paths.inventoryFile, newest.file, now());
    } catch (error) {
      await options.ask({ type: 'error', title: 'Tenant Key Vault', message: 'The backup could not be restored.', detail: toErrorInfo(error).message, buttons: ['Quit'], defaultId: 0, cancelId: 0 });
      return null;
    }
  }
}

/** The services when the inventory is sound, else what is wrong with it (the services too, when they opened). */
async function findTrouble(options: OpenVaultOptions): Promise<Services | Trouble> {
  let services: Services;
  try {
    services = options.create();
  } catch (error) {
    const report = await unreadableInventoryError(error, options.paths, options.secrets);
    return { kind: 'unreadable', message: 'The inventory cannot be opened.', detail: report.message, services: null };
  }
  const loss = await services.inventoryLoss().catch(() => null);
  if (loss) {
    const report = inventoryLostError(loss, options.paths.inventoryFile);
    const advice = loss.backups.length === 0 ? report.remedies.map(remedySentence).join(' ') : '';
    return { kind: 'lost', message: 'The inventory lost its keys.', detail: [report.message, advice].filter(Boolean).join('\n\n'), services };
  }
  const damage = services.inventoryDamage();
  if (damage) {
    return {
      kind: 'damaged',
      message: 'A page of the inventory is damaged.',
      detail: `SQLite's check of ${options.paths.inventoryFile} found: ${damage}. Keys on the damaged page may be missing or wrong; the secrets themselves are in the keychain.`,
      services,
    };
  }
  return services;
}

/** A backup's time for a button: local date and minute, as the person's clock reads. */
function shownTime(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
