/**
 * A team: this vault's member identity (an age X25519 key and an Ed25519 signing key, both in the
 * OS keychain), and the team repository it shares keys through (team-files.ts says what is in it;
 * git.ts carries it). Sharing writes a signed version of a key, its secret encrypted to the readers
 * named; a pull verifies everything it meets, refuses what it cannot trust file by file, stores the
 * secrets this member may read, and replaces a secret a member rotated only after the new one passes
 * a check. One team per vault; its working copy lives where the person put it (init, join).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KeySummary } from '../../shared/contract.ts';
import type { ReviewSettings } from '../../shared/contract/review.ts';
import type { PullReport, RemoveMemberReport, ShareInput, TeamIdentity, TeamInventory, TeamStatus } from '../../shared/contract/team.ts';
import { assertRule, VaultError } from '../errors.ts';
import { formatKeyRef } from '../keys/key-ref.ts';
import type { TenantRecord } from '../tenants/tenant-service.ts';
import { Git, gitWords, runGit } from './git.ts';
import { mergeByFiles } from './merge.ts';
import { FORMATS, keyFolder, memberNameProblem, publicKeysProblem, readTeam, readTree, repositoryReadme, signRecord, TEAM_FILE, teamMember, writeRecord, type TeamRecord, type TeamTree } from './team-files.ts';
import { memberOf, privateIdentity, publicIdentityIfAny, renewIdentity, signedMemberRecord, type PrivateIdentity } from './team-identity.ts';
import { memoryOf, remembering, removalsInHistory, TeamInbox, type TeamState, type TeamVault } from './team-inbox.ts';
import { teamInventory } from './team-review.ts';
import { contentKey, contentOf, localContent, readersFor, rewriteWithout, sameContent, sameList, sharedTenantOf, versionContent, writeVersion } from './team-versions.ts';

/** The setting this vault remembers its team under (team-inbox.ts's TeamState). */
const SETTING = 'team';

export class TeamService {
  private readonly vault: TeamVault;
  private readonly inbox: TeamInbox;
  /** Operations on the repository run one at a time (the app may ask twice). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(vault: TeamVault) {
    this.vault = vault;
    this.inbox = new TeamInbox(vault);
  }

  // ---- identity

  /** This vault's public keys, created (and stored in the keychain) on first use. */
  async identity(): Promise<TeamIdentity> {
    return (await privateIdentity(this.vault.secrets, true)).public;
  }

  /** A new identity in place of this one (a vault in no team only): see renewIdentity. */
  newIdentity(): Promise<TeamIdentity> {
    return this.serial(() => renewIdentity(this.vault, this.state()?.name ?? null));
  }

  // ---- joining

  /** Founds a team in `dir` (new or empty): its file, the founder's record, a README; one commit. */
  init(dir: string, options: { name: string; member: string; remote?: string }): Promise<TeamStatus> {
    return this.serial(async () => {
      this.assertNoTeam();
      assertRule(memberNameProblem(options.member));
      if (!/^[\p{L}\p{N} ._-]{1,80}$/u.test(options.name)) throw new VaultError('INVALID_INPUT', 'A team name is 1 to 80 letters, digits, spaces, \'.\', \'_\' or \'-\'.');
      const root = path.resolve(dir);
      if (fs.existsSync(root) && fs.readdirSync(root).length > 0) throw new VaultError('ALREADY_EXISTS', `${root} is not empty: found a team in a new or empty folder.`);
      fs.mkdirSync(root, { recursive: true });
      const me = await privateIdentity(this.vault.secrets, true);
      const at = this.vault.stamps.now();
      const git = this.git(root, options.member);
      await git.ok(['init', '--quiet', '--initial-branch=main'], 'The team repository could not be created');
      await git.preferConfiguredAuthor();
      const team = signRecord<TeamRecord>({ format: FORMATS.team, name: options.name, founder: { name: options.member, ...me.public }, createdAt: at }, me.signingKey);
      writeRecord(path.join(root, TEAM_FILE), team);
      writeRecord(path.join(root, 'members', `${options.member}.json`), signedMemberRecord(me, { name: options.member, ...me.public, addedBy: options.member, addedAt: at, removedBy: null, removedAt: null, signedBy: options.member }));
      fs.writeFileSync(path.join(root, 'README.md'), repositoryReadme(options.name));
      // Secret files are compared by their bytes: no line-ending conversion, and no text diff of ciphertext.
      fs.writeFileSync(path.join(root, '.gitattributes'), '*.age -text -diff\n*.json text eol=lf\n');
      await git.commitAll(`Team ${options.name} founded by ${options.member}`);
      if (options.remote) await git.ok(['remote', 'add', 'origin', options.remote], 'The remote could not be added');
      this.saveState({ dir: root, name: options.name, founder: { name: options.member, signingKey: me.public.signingKey }, joinedAt: at, lastPull: null, members: [options.member], synced: {}, removedKeys: [], replaced: [] });
      this.vault.audit.record('team_joined', { detail: { team: options.name, founded: true, member: options.member } });
      this.vault.events.changed('team founded');
      return this.statusNow();
    });
  }

  /**
   * Joins the team of a working copy (a folder with team.json) or clones one (a git URL or a bare
   * repository) into `into`. The founder's signing key is pinned from here on: a repository that
   * later names another founder is not trusted. A vault not yet added keeps its place and receives
   * keys once a member adds it.
   */
  join(source: string, options: { into: string }): Promise<PullReport & { founderKey: string }> {
    return this.serial(async () => {
      this.assertNoTeam();
      let root = path.resolve(source);
      const cloned = !fs.existsSync(path.join(root, TEAM_FILE));
      if (cloned) {
        root = path.resolve(options.into);
        if (fs.existsSync(root) && fs.readdirSync(root).length > 0) throw new VaultError('ALREADY_EXISTS', `${root} is not empty: choose another folder for the team's working copy.`);
        fs.mkdirSync(path.dirname(root), { recursive: true });
        const clone = await runGit(['clone', '--quiet', '--', source, root], { cwd: path.dirname(root), env: this.vault.env });
        if (clone.code !== 0) throw new VaultError('CONFLICT', `The team repository could not be cloned: git said "${gitWords(clone)}".`);
        if (!fs.existsSync(path.join(root, TEAM_FILE))) await new Git(root, { env: this.vault.env }).checkoutTeamBranch();
        if (!fs.existsSync(path.join(root, TEAM_FILE))) {
          fs.rmSync(root, { recursive: true, force: true });
          throw new VaultError('NOT_FOUND', `${source} holds no ${TEAM_FILE}: it is not a team repository, or its founder has not pushed yet.`);
        }
      }
      // Verified before anything is kept (removals made before this vault joined read from git's history).
      let team: TeamRecord, tree: TeamTree, removedKeys: string[];
      try {
        team = readTeam(root, null);
        tree = readTree(root, { pinned: team.founder.signingKey, removedKeys: [], replaced: [] });
        removedKeys = await removalsInHistory(new Git(root, { env: this.vault.env }), tree);
        tree = readTree(root, { pinned: team.founder.signingKey, removedKeys, replaced: [] });
      } catch (error) {
        if (cloned) fs.rmSync(root, { recursive: true, force: true });
        throw error;
      }
      const me = await privateIdentity(this.vault.secrets, true);
      const at = this.vault.stamps.now();
      this.saveState(remembering({ dir: root, name: team.name, founder: { name: team.founder.name, signingKey: team.founder.signingKey }, joinedAt: at, lastPull: null, members: [], synced: {}, removedKeys }, tree));
      const you = memberOf(tree, me.public);
      this.vault.audit.record('team_joined', { detail: { team: team.name, founded: false, member: you?.name ?? null } });
      const report = await this.applyTree(tree, me, { fetched: false, commits: [] });
      this.vault.events.changed('team joined');
      return { ...report, founderKey: team.founder.signingKey };
    });
  }

  // ---- membership

  /** Adds a member (their two public keys), signed by this vault's member. */
  addMember(name: string, recipient: string, signingKey: string): Promise<TeamStatus> {
    return this.serial(async () => {
      assertRule(memberNameProblem(name));
      assertRule(publicKeysProblem(recipient.trim(), signingKey.trim()));
      const { state, tree, me, you } = await this.asMember();
      return this.atomically(state.dir, async () => {
        const existing = tree.members.find((member) => member.name === name);
        if (existing && existing.removedBy === null) throw new VaultError('ALREADY_EXISTS', `${name} is already a member of ${state.name}.`);
        if ((state.removedKeys ?? []).includes(signingKey.trim())) throw new VaultError('CONFLICT', 'These keys were those of a member who was removed: every vault refuses them now. The person comes back with a new identity: ask them to leave the team in their vault, make a new identity there and send you its two public keys.');
        const twin = tree.members.find((member) => member.removedBy === null && (member.recipient === recipient.trim() || member.signingKey === signingKey.trim()));
        if (twin) throw new VaultError('ALREADY_EXISTS', `These keys are already ${twin.name}'s: one identity is one member.`);
        const at = this.vault.stamps.now();
        writeRecord(path.join(state.dir, 'members', `${name}.json`), signedMemberRecord(me, { name, recipient: recipient.trim(), signingKey: signingKey.trim(), addedBy: you, addedAt: at, removedBy: null, removedAt: null, signedBy: you }));
        await this.git(state.dir, you).commitAll(`${you} added member ${name}`);
        this.saveState({ ...state, members: [...new Set([...state.members, name])] });
        this.vault.audit.record('member_added', { detail: { team: state.name, member: name } });
        this.vault.events.changed('team member added');
        return this.statusNow();
      });
    });
  }

  /**
   * Removes a member: every secret they could read and this vault can is encrypted again to the
   * remaining readers; what they had signed is signed again by this vault's member; their record is
   * marked removed. They may have kept copies: every key they could read is listed, to rotate.
   */
  removeMember(name: string): Promise<RemoveMemberReport & { status: TeamStatus }> {
    return this.serial(async () => {
      const { state, tree, me, you } = await this.asMember();
      return this.atomically(state.dir, async () => {
        const member = tree.members.find((candidate) => candidate.name === name && candidate.removedBy === null);
        if (!member) throw new VaultError('NOT_FOUND', `${name} is not a member of ${state.name}.`);
        if (name === tree.team.founder.name) throw new VaultError('CONFLICT', `${name} founded ${state.name}: the team's trust goes back to them, so they cannot be removed. Found a new team to change it.`);
        if (name === you) throw new VaultError('CONFLICT', 'A vault does not remove its own member: ask another member to remove you.');
        const at = this.vault.stamps.now();
        const report = rewriteWithout(state.dir, tree, me, you, name, at, (record) => {
          const local = this.inbox.localEntry(record.tenant, record.name);
          return local ? { tenant: local.tenant, name: local.name } : null;
        });
        for (const other of tree.members) {
          if (other.name === name || other.signedBy !== name) continue;
          writeRecord(path.join(state.dir, 'members', `${other.name}.json`), signedMemberRecord(me, { ...other, signedBy: you }));
        }
        writeRecord(path.join(state.dir, 'members', `${name}.json`), signedMemberRecord(me, { ...member, removedBy: you, removedAt: at, signedBy: you }));
        await this.git(state.dir, you).commitAll(`${you} removed member ${name}; ${report.reencrypted.length} secret${report.reencrypted.length === 1 ? '' : 's'} encrypted again without them`);
        this.saveState(remembering({ ...state, members: state.members.filter((other) => other !== name), removedKeys: [...(state.removedKeys ?? []), member.signingKey] }, tree, report.parents));
        this.vault.audit.record('member_removed', { detail: { team: state.name, member: name, reencrypted: report.reencrypted.length, toRotate: report.seenBy.length } });
        this.vault.events.changed('team member removed');
        const { parents: _parents, ...told } = report;
        return { ...told, status: await this.statusNow() };
      });
    });
  }

  // ---- sharing

  /** Shares a key: a new signed version of its metadata, and its secret encrypted to the readers. */
  share(input: ShareInput): Promise<{ version: string | null; status: TeamStatus }> {
    return this.serial(async () => {
      const { state, tree, me, you } = await this.asMember();
      return this.atomically(state.dir, async () => {
        const key = this.vault.keys.show(input.key);
        const tenant = this.vault.tenants.require(input.key.tenant);
        const keyPath = keyFolder(sharedTenantOf(tenant), key.name);
        const heads = tree.keys.get(keyPath)?.heads ?? [];
        if (heads.length > 1) {
          throw new VaultError('CONFLICT', `${formatKeyRef(input.key)} has ${heads.length} versions in the team (by ${heads.map((head) => head.record.author).join(' and ')}) waiting for a choice: choose one, or this vault's, first.`, { remedies: [{ code: 'resolve-team-conflict', key: input.key }] });
        }
        const head = heads[0] ?? null;
        const synced = state.synced[key.id];
        if (head && head.record.fingerprint !== key.fingerprint && synced?.version !== head.record.version) {
          throw new VaultError('CONFLICT', `The team holds another version of ${formatKeyRef(input.key)} (by ${head.record.author}, ${head.record.at.slice(0, 16).replace('T', ' ')}) than this vault's, which this vault never received: pull first, or choose this vault's version over it.`, {
            remedies: [{ code: 'pull-team' }, { code: 'resolve-team-conflict', key: input.key }],
          });
        }
        const readers = readersFor(tree, you, input, head);
        const version = await this.shareLocal(state, tree, me, you, key, tenant, { parents: heads.map((h) => h.record.version), readers, reason: readers.length === 0 ? 'metadata shared' : 'shared' });
        return { version, status: await this.statusNow() };
      });
    });
  }

  private async shareLocal(state: TeamState, tree: TeamTree, me: PrivateIdentity, you: string, key: KeySummary, tenant: TenantRecord, options: { parents: string[]; readers: string[]; reason: string }): Promise<string | null> {
    const keyPath = keyFolder(sharedTenantOf(tenant), key.name);
    const head = tree.keys.get(keyPath)?.heads[0] ?? null;
    const from = versionContent(key, tenant, you, tree.keys.get(keyPath)?.heads ?? []);
    if (head && options.parents.length === 1 && sameContent(head.record, from) && sameList(head.record.readers, options.readers)) {
      state.synced[key.id] = { version: head.record.version, fingerprint: key.fingerprint, content: contentKey(localContent(key)) };
      this.saveState(state);
      return null;
    }
    const secret = options.readers.length > 0 ? await this.vault.keys.secretOf(key) : null;
    const version = writeVersion(state.dir, tree, me, you, { from, parents: options.parents, readers: options.readers, secret: secret === null ? null : { plaintext: secret }, reason: options.reason, at: this.vault.stamps.now() });
    const readers = options.readers.filter((reader) => reader !== you);
    await this.git(state.dir, you).commitAll(`${you} shared ${key.tenant}/${key.name}${options.readers.length === 0 ? ' (metadata only)' : readers.length > 0 ? ` with ${readers.join(', ')}` : ' (readable by its sharer only)'}`);
    state.synced[key.id] = { version, fingerprint: key.fingerprint, content: contentKey(localContent(key)) };
    this.saveState(remembering(state, tree, options.parents));
    this.vault.audit.record('shared', { tenant: key.tenant, keyName: key.name, keyId: key.id, fingerprint: key.fingerprint, detail: { team: state.name, readers: options.readers, metadataOnly: options.readers.length === 0 } });
    this.vault.events.changed('key shared');
    return version;
  }

  // ---- carrying

  /** Fetches and merges the remote (when there is one), then verifies and applies what came. */
  pull(): Promise<PullReport> {
    return this.serial(async () => {
      const state = this.requireState();
      const me = await privateIdentity(this.vault.secrets, true);
      // Commits of a merge are made under this vault's member name (or tkv's, before it is one).
      const git = this.git(state.dir, memberOf(readTree(state.dir, memoryOf(state)), me.public)?.name ?? 'tkv');
      await git.preferConfiguredAuthor();
      if ((await git.run(['status', '--porcelain'])).stdout.trim() !== '') {
        throw new VaultError('CONFLICT', `The team's working copy (${state.dir}) has changes not made through the vault: commit or discard them with git first, then pull.`);
      }
      const before = (await git.run(['rev-parse', 'HEAD'])).stdout.trim();
      let fetched = false;
      if (await git.hasRemote()) {
        await git.ok(['fetch', '--quiet', 'origin'], 'The team remote could not be fetched');
        fetched = true;
        const branch = await git.branch();
        const remoteRef = `origin/${branch}`;
        if ((await git.run(['rev-parse', '--verify', '--quiet', remoteRef])).code === 0) {
          const merged = await mergeByFiles(git, remoteRef, `Merge ${remoteRef} (team pull)`);
          if (merged.outcome === 'conflict') {
            throw new VaultError('CONFLICT', `The remote and this working copy both changed ${merged.files.join(', ')}, differently: nothing was merged nor applied. Settle it in ${state.dir} with git (keep one side), then pull again.`);
          }
        }
      }
      const after = (await git.run(['rev-parse', 'HEAD'])).stdout.trim();
      const commits = before && before !== after ? await git.commitsBetween(before, after) : [];
      const removedKeys = [...new Set([...(state.removedKeys ?? []), ...(await removalsInHistory(git, readTree(state.dir, memoryOf(state))))])];
      this.saveState({ ...state, removedKeys });
      return this.applyTree(readTree(state.dir, memoryOf({ ...state, removedKeys })), me, { fetched, commits });
    });
  }

  /** Pushes this working copy's commits to the remote. */
  push(): Promise<{ pushed: number; status: TeamStatus }> {
    return this.serial(async () => {
      const state = this.requireState();
      const git = this.git(state.dir, 'tkv');
      if (!(await git.hasRemote())) throw new VaultError('NOT_FOUND', `The team's working copy (${state.dir}) has no remote named origin: add the team's remote with git, then push.`);
      const branch = await git.branch();
      const ahead = await git.aheadBehind(branch);
      const run = await git.run(['push', '--quiet', '--porcelain', 'origin', `HEAD:refs/heads/${branch}`]);
      if (run.code !== 0) {
        if (/\[rejected\]|non-fast-forward|fetch first/.test(run.stdout + run.stderr)) {
          throw new VaultError('CONFLICT', 'The remote has changes this working copy has not pulled: pull first (they are verified and merged), then push.', { remedies: [{ code: 'pull-team' }] });
        }
        throw new VaultError('CONFLICT', `The push failed: git said "${gitWords(run)}".`);
      }
      await git.run(['fetch', '--quiet', 'origin']);
      return { pushed: ahead.ahead, status: await this.statusNow() };
    });
  }

  /**
   * Settles a key in conflict: the version chosen (or this vault's own) becomes the team's, written
   * as a new version that replaces every current one; then applied here as a pull would.
   */
  resolve(keyPath: string, choice: { version: string } | 'mine'): Promise<PullReport> {
    return this.serial(async () => {
      const { state, tree, me, you } = await this.asMember();
      return this.atomically(state.dir, async () => {
        const heads = tree.keys.get(keyPath)?.heads ?? [];
        if (heads.length === 0) throw new VaultError('NOT_FOUND', `The team shares no key at ${keyPath}.`);
        const first = heads[0]!.record;
        const local = this.inbox.localEntry(first.tenant, first.name);
        if (choice === 'mine') {
          if (!local) throw new VaultError('NOT_FOUND', `This vault holds no entry for ${first.tenant.alias}/${first.name}: choose one of the team's versions.`);
          const key = this.vault.keys.show(local);
          const tenant = this.vault.tenants.require(local.tenant);
          const active = new Set(tree.members.filter((member) => member.removedBy === null).map((member) => member.name));
          // Never wider than any version it replaces: only those every version let read it (and this vault's member).
          const readers = [...new Set([you, ...heads[0]!.record.readers.filter((reader) => heads.every((head) => head.record.readers.includes(reader)))])].filter((reader) => active.has(reader));
          const withSecret = heads.some((head) => head.record.secretSha256 !== null);
          await this.shareLocal(state, tree, me, you, key, tenant, { parents: heads.map((head) => head.record.version), readers: withSecret ? readers : [], reason: 'chosen over the team’s version' });
        } else {
          const chosen = heads.find((head) => head.record.version === choice.version);
          if (!chosen) throw new VaultError('NOT_FOUND', `${choice.version} is not a current version of ${keyPath} (current: ${heads.map((head) => head.record.version).join(', ')}).`);
          if (heads.length > 1) {
            const { readers, author } = chosen.record;
            writeVersion(state.dir, tree, me, you, { from: contentOf(chosen.record), parents: heads.map((head) => head.record.version), readers, secret: { copyFrom: chosen }, reason: `${author}'s version chosen`, at: this.vault.stamps.now() });
            await this.git(state.dir, you).commitAll(`${you} chose ${author}'s version of ${first.tenant.alias}/${first.name}`);
          }
          // This vault's own differing entry gives way: marked as last matching its own secret, the
          // chosen version then replaces it as a pull replaces any newer one (checked first).
          if (local) {
            state.synced[local.id] = { version: '', fingerprint: local.fingerprint };
            this.saveState(state);
          }
        }
        return this.applyTree(readTree(state.dir, memoryOf(state)), me, { fetched: false, commits: [] });
      });
    });
  }

  // ---- what the team holds

  /** The team, its members, every shared key and where this vault stands with it; refused files. */
  status(): Promise<TeamStatus> {
    return this.serial(() => this.statusNow());
  }

  /** The team's whole inventory for a review, by its thresholds (team-review.ts); null outside a team. */
  async inventory(settings: ReviewSettings): Promise<TeamInventory | null> {
    return teamInventory(await this.status(), settings, new Date(this.vault.stamps.now()));
  }

  /** Whether this vault is in a team (no keychain read). */
  joined(): boolean {
    return this.state() !== null;
  }

  /** Forgets the team: this vault stops pulling from it; its working copy, its keys and its identity stay. */
  leave(): Promise<{ name: string; dir: string }> {
    return this.serial(async () => {
      const state = this.state();
      if (!state) throw new VaultError('NOT_FOUND', 'This vault is in no team.', { remedies: [{ code: 'join-team' }] });
      this.vault.settings.set(SETTING, null);
      this.vault.audit.record('team_left', { detail: { team: state.name, dir: state.dir } });
      this.vault.events.changed('team left');
      return { name: state.name, dir: state.dir };
    });
  }

  private async statusNow(): Promise<TeamStatus> {
    const state = this.state();
    const identity = await publicIdentityIfAny(this.vault.secrets);
    if (!state) return { team: null, identity, members: [], keys: [], refused: [] };
    const git = this.git(state.dir, 'tkv');
    const tree = readTree(state.dir, memoryOf(state));
    const you = identity ? memberOf(tree, identity)?.name ?? null : null;
    const branch = await git.branch().catch(() => 'main');
    const remote = (await git.run(['remote', 'get-url', 'origin'])).stdout.trim() || null;
    const { ahead, behind } = await git.aheadBehind(branch);
    return {
      team: { name: state.name, dir: state.dir, founder: state.founder, you, joinedAt: state.joinedAt, remote: remote === null ? null : remote.replace(/:\/\/[^/@\s]+@/, '://…@'), branch, ahead, behind, lastPull: state.lastPull },
      identity,
      members: tree.members.map((member) => teamMember(member, tree.team, you)),
      keys: [...tree.keys.entries()].map(([keyPath, { heads }]) => this.inbox.sharedKey(state, keyPath, heads, you)),
      refused: await git.withCommits(tree.refused),
    };
  }

  // ---- helpers

  /** Applies the tree (team-inbox.ts), then records the pull and reports it with the files refused. */
  private async applyTree(tree: TeamTree, me: PrivateIdentity, carried: { fetched: boolean; commits: PullReport['commits'] }): Promise<PullReport> {
    const state = this.requireState();
    const you = memberOf(tree, me.public)?.name ?? null;
    const git = this.git(state.dir, you ?? 'tkv');
    const { report, refused, active } = await this.inbox.apply(tree, state, me, you);
    const head = (await git.run(['rev-parse', '--short', 'HEAD'])).stdout.trim();
    this.saveState(remembering({ ...state, lastPull: { at: this.vault.stamps.now(), commit: head }, members: active }, tree));
    if (report.received.length + report.updated.length + report.replaced.length > 0) this.vault.events.changed('team pulled');
    return { ...carried, ...report, refused: await git.withCommits(refused), status: await this.statusNow() };
  }

  /** The state, the trusted tree, the private identity and this vault's member name; or why it cannot act. */
  private async asMember(): Promise<{ state: TeamState; tree: TeamTree; me: PrivateIdentity; you: string }> {
    const state = this.requireState();
    const tree = readTree(state.dir, memoryOf(state));
    const me = await privateIdentity(this.vault.secrets, true);
    const you = memberOf(tree, me.public)?.name;
    if (!you) {
      const removed = tree.members.find((member) => member.recipient === me.public.recipient && member.signingKey === me.public.signingKey);
      if (removed) throw new VaultError('CONFLICT', `This vault’s member ${removed.name} was removed from ${state.name} by ${removed.removedBy ?? 'a member'} on ${removed.removedAt!.slice(0, 10)}: it can no longer change the team. To come back, leave the team, make a new identity, and send its two public keys to a member.`, { remedies: [{ code: 'leave-team' }, { code: 'new-team-identity' }] });
      throw new VaultError('CONFLICT', `This vault is not a member of ${state.name} yet: a member adds it with its two public keys (its team identity), then it pulls.`, { remedies: [{ code: 'send-team-identity' }] });
    }
    const git = this.git(state.dir, you);
    const dirty = (await git.run(['status', '--porcelain'])).stdout.trim();
    if (dirty !== '') throw new VaultError('CONFLICT', `The team's working copy (${state.dir}) has changes not made through the vault: commit or discard them with git first.`);
    return { state, tree, me, you };
  }

  private git(dir: string, member: string): Git {
    return new Git(dir, { env: this.vault.env, author: { name: member, email: `${member}@team.tkv.invalid` } });
  }

  private state(): TeamState | null {
    return (this.vault.settings.get(SETTING) as TeamState | null) ?? null;
  }

  private requireState(): TeamState {
    const state = this.state();
    if (!state) throw new VaultError('NOT_FOUND', 'This vault is in no team.', { remedies: [{ code: 'join-team' }] });
    if (!fs.existsSync(path.join(state.dir, TEAM_FILE))) throw new VaultError('NOT_FOUND', `The team's working copy is gone (${state.dir} holds no ${TEAM_FILE}).`);
    return state;
  }

  private assertNoTeam(): void {
    const state = this.state();
    if (state) throw new VaultError('ALREADY_EXISTS', `This vault is already in team ${state.name} (${state.dir}); a vault belongs to one team.`);
  }

  private saveState(state: TeamState): void {
    this.vault.settings.set(SETTING, state);
  }

  /** Runs a change of the (clean) working copy; failing half way, it goes back to its last commit: nothing half-written is carried. */
  private async atomically<T>(dir: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const git = new Git(dir, { env: this.vault.env });
      await git.run(['reset', '--quiet', '--hard', 'HEAD']);
      await git.run(['clean', '--quiet', '-fd']);
      throw error;
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

