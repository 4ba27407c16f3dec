import type { RecipeShot } from '../../core/preview/videoRecipe';

/** The speeds the page offers. Kept out of protocol.ts so the page bundle does without zod. */
export const PLAYBACK_RATES = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2] as const;

/** `0:04`, `1:02`: seconds as a player shows them. */
export function formatTime(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/** `0:04–0:10` */
export function formatRange(shot: Pick<RecipeShot, 'startSeconds' | 'endSeconds'>): string {
  return `${formatTime(shot.startSeconds)}–${formatTime(shot.endSeconds)}`;
}

/**
 * The shot playing at `time`, by its position in the list; undefined before the first or past the last. A shot owns
 * its start and not its end, so at a cut the new shot is the current one.
 */
export function shotAt(shots: readonly Pick<RecipeShot, 'startSeconds' | 'endSeconds'>[], time: number): number | undefined {
  const index = shots.findIndex((shot) => time >= shot.startSeconds && time < shot.endSeconds);
  return index >= 0 ? index : undefined;
}
