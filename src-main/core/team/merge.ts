/**
 * Merging a team repository: a three-way merge by whole files, never inside one. A key's versions
 * are files written once and never edited, so a side that added a file keeps it, a side that
 * deleted one (a replaced version) drops it, and two members' versions replacing the same one are
 * both kept, as two current versions a person chooses between. Git's own merge would pair a
 * deleted version with a new one of similar text as a rename, and two such pairs as a rename/rename
 * conflict; this merge asks git only for what changed on each side, by path.
 *
 * What both sides changed differently (a member record, the team file, a version file edited) is
 * not guessed at: nothing is merged, and the paths are returned for a person to settle with git.
 */
import type { Git } from './git.ts';

type Change = { status: 'A' | 'M' | 'D'; blob: string | null };

/** The files a side changed since the merge base, by path (renames off: each path for itself). */
async function changes(git: Git, base: string, tip: string): Promise<Map<string, Change>> {
  const diff = await git.ok(['diff', '--name-status', '--no-renames', '-z', base, tip], 'The team repository’s changes could not be listed');
  const fields = diff.split('\0').filter((field) => field !== '');
  const out = new Map<string, Change>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const status = fields[i]!.charAt(0) as Change['status'];
    const file = fields[i + 1]!;
    const blob = status === 'D' ? null : (await git.ok(['rev-parse', `${tip}:${file}`], 'A changed file could not be read')).trim();
    out.set(file, { status, blob });
  }
  return out;
}

/**
 * Merges `theirs` (a remote branch) into HEAD, which must be clean. Returns the merge's result:
 * `up-to-date`, `fast-forward`, `merged` (a merge commit with both parents), or the paths both
 * sides changed differently (nothing changed then).
 */
export async function mergeByFiles(git: Git, theirs: string, message: string): Promise<{ outcome: 'up-to-date' | 'fast-forward' | 'merged' } | { outcome: 'conflict'; files: string[] }> {
  const head = (await git.ok(['rev-parse', 'HEAD'], 'The team repository has no commit')).trim();
  const tip = (await git.ok(['rev-parse', theirs], 'The remote branch could not be read')).trim();
  const baseRun = await git.run(['merge-base', head, tip]);
  const base = baseRun.stdout.trim();
  if (base === tip) return { outcome: 'up-to-date' };
  if (base === head) {
    await git.ok(['merge', '--ff-only', '--quiet', tip], 'The remote’s commits could not be taken');
    return { outcome: 'fast-forward' };
  }
  if (baseRun.code !== 0 || base === '') return { outcome: 'conflict', files: ['(the remote shares no history with this working copy)'] };
  const ours = await changes(git, base, head);
  const theirsChanges = await changes(git, base, tip);
  const conflicts: string[] = [];
  for (const [file, change] of theirsChanges) {
    const mine = ours.get(file);
    if (mine && mine.blob !== change.blob) conflicts.push(file);
  }
  if (conflicts.length > 0) return { outcome: 'conflict', files: conflicts.sort() };
  for (const [file, change] of theirsChanges) {
    if (ours.has(file)) continue;
    if (change.status === 'D') await git.ok(['rm', '--quiet', '--', file], 'A replaced file could not be dropped');
    else await git.ok(['checkout', tip, '--', file], 'A new file could not be taken');
  }
  const tree = (await git.ok(['write-tree'], 'The merged tree could not be written')).trim();
  const commit = (await git.ok(['commit-tree', tree, '-p', head, '-p', tip, '-m', message], 'The merge could not be committed')).trim();
  await git.ok(['update-ref', '-m', 'team pull: merge', 'HEAD', commit, head], 'The merge could not be recorded');
  return { outcome: 'merged' };
}
