/** The app itself: what it runs on and where it keeps its data. */
import { channel } from './channel.ts';
import type { ScopeArea } from '../scopes.ts';
import type { ReconcileReport } from './keys.ts';

export interface AppInfo {
  version: string;
  schemaVersion: number;
  dataDir: string;
  keychainService: string;
  platform: string;
}

export const appChannels = {
  'app:info': channel<void, AppInfo>(),
  /** The vendor's scope catalogue, for forms that flag an unknown scope as it is typed. */
  'app:scopes': channel<void, ScopeArea[]>(),
  /** Keychain entries vs. inventory rows; deletes nothing. */
  'vault:reconcile': channel<void, ReconcileReport>(),
};
