/**
 * A tenant's keys on the server, as the Server keys screen shows them: the listing (live, or the last
 * snapshot offline), the permission catalogue for the grid, and the tokens waiting for their one
 * showing after a keychain failure. Shapes kept: ServerKeysView, PermissionCatalogueView, UnsavedTokenView[].
 */
import { SvelteSet } from 'svelte/reactivity';
import type { PermissionCatalogueView, ServerCreateResult, ServerKeyInput, ServerKeysView, UnsavedTokenView } from '../../../src-main/shared/contract.ts';
import { api, asApiError, unwrap, type ApiError } from '../api.ts';
import { Latest } from './latest.ts';

export class ServerStore {
  /** The tenant shown. */
  tenant = $state<string | null>(null);
  view = $state.raw<ServerKeysView | null>(null);
  catalogue = $state.raw<PermissionCatalogueView | null>(null);
  loading = $state(false);
  error = $state.raw<ApiError | null>(null);
  /** Tokens to show once (the show-once rescue); the dialog shows the first. */
  unsaved = $state.raw<UnsavedTokenView[]>([]);
  /**
   * The server key whose deletion is being confirmed; `orphan` when nobody holds its token (a
   * creation's lost answer), which the confirmation says.
   */
  deleting = $state.raw<{ tenant: string; name: string; orphan: boolean } | null>(null);
  /** "tenant/name" of the server keys deleted here: a remedy to delete one is then done. */
  readonly deleted = new SvelteSet<string>();
  /** The server key whose edit or duplicate dialog is open. */
  editing = $state<{ mode: 'create' | 'edit' | 'duplicate'; name: string | null; preset?: { name: string; permissions: string[] } } | null>(null);
  settingBearer = $state(false);
  private readonly latest = new Latest();

  async show(tenant: string): Promise<void> {
    if (this.tenant !== tenant) {
      this.view = null;
      this.catalogue = null;
    }
    this.tenant = tenant;
    await this.load();
  }

  async load(): Promise<void> {
    const tenant = this.tenant;
    if (!tenant) return;
    const current = this.latest.begin();
    this.loading = true;
    try {
      const [view, catalogue] = await Promise.all([unwrap(api.server.list({ tenant })), this.catalogue ? Promise.resolve(this.catalogue) : unwrap(api.server.permissions({ tenant }))]);
      if (!current()) return;
      this.view = view;
      this.catalogue = catalogue;
      this.error = null;
    } catch (error) {
      if (current()) this.error = asApiError(error);
    } finally {
      if (current()) this.loading = false;
    }
  }

  /**
   * Creates a key; when the keychain refused its token, the rescue dialog opens with it. The listing
   * is read again even when the creation failed: a lost answer may have left a key on the server.
   */
  async create(input: ServerKeyInput): Promise<ServerCreateResult> {
    // A name made again is a new key: a remedy about the one deleted before no longer holds.
    this.deleted.delete(`${input.tenant}/${input.name}`);
    try {
      const result = await unwrap(api.server.create(input));
      if (!result.stored) await this.loadUnsaved();
      return result;
    } finally {
      if (this.tenant === input.tenant) await this.load();
    }
  }

  async update(name: string, changes: { enabled?: boolean; permissions?: string[] }): Promise<void> {
    await unwrap(api.server.update({ tenant: this.tenant!, name, ...changes }));
    await this.load();
  }

  /** Enables a key on the server, from a verdict's advice: the listing is read again if it is the one open. */
  async enable(tenant: string, name: string): Promise<void> {
    await unwrap(api.server.update({ tenant, name, enabled: true }));
    if (this.tenant === tenant) await this.load();
  }

  async remove(tenant: string, name: string): Promise<{ removedLocal: boolean }> {
    const result = await unwrap(api.server.delete({ tenant, name }));
    this.deleted.add(`${tenant}/${name}`);
    if (this.tenant === tenant) await this.load();
    return result;
  }

  async setBearer(token: string, expiresAt: string | null): Promise<void> {
    await unwrap(api.server.setBearer({ tenant: this.tenant!, token, expiresAt }));
    this.catalogue = null;
    await this.load();
  }

  async loadUnsaved(): Promise<void> {
    this.unsaved = await unwrap(api.server.unsaved());
  }

  async copyUnsaved(id: string): Promise<void> {
    await unwrap(api.server.copyUnsaved({ id }));
  }

  /** The dialog closed: the main process forgets the token, and so does the page. */
  async forgetUnsaved(id: string): Promise<void> {
    this.unsaved = this.unsaved.filter((token) => token.id !== id);
    await unwrap(api.server.forgetUnsaved({ id }));
  }
}
