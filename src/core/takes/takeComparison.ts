import * as path from 'node:path';
import { videoRecipe, type VideoRecipe } from '../preview/videoRecipe';
import type { RecipeRow } from './recipeRow';
import type { Take } from './takeStore';

// What Compare Takes shows beside the videos: each take's recipe, field by field, with the fields whose values are
// not the same in every take marked, so a prompt edit, a changed setting or a different price stands out. Plain
// data: the host computes it, the page only draws it.

export interface ComparedTake {
  /** The take's file name: what the page sends back to name it (never a path). */
  id: string;
  index: number;
  chosen: boolean;
  /** The recipe, or why it is unknown. */
  recipe: VideoRecipe | undefined;
  note: string | undefined;
}

export type { RecipeRow } from './recipeRow';

export function comparedTake(take: Take): ComparedTake {
  return {
    id: path.basename(take.path),
    index: take.index,
    chosen: take.chosen,
    recipe: take.sidecar ? videoRecipe(take.sidecar, take.path) : undefined,
    note: take.sidecar ? undefined : take.sidecarProblem ? `Its sidecar cannot be used: ${take.sidecarProblem}.` : 'No sidecar: how this take was made is unknown.',
  };
}

const NONE = '—';

/** The rows of the comparison, in the order a person reads a recipe: what it shows, how it is made, when, for how much. */
export function compareRecipes(takes: readonly ComparedTake[]): RecipeRow[] {
  const field = (label: string, value: (recipe: VideoRecipe) => string | undefined): RecipeRow => {
    const values = takes.map((take) => (take.recipe ? (value(take.recipe) ?? NONE) : NONE));
    return { label, values, differs: new Set(values).size > 1 };
  };
  return [
    field('Prompt', (r) => r.prompt),
    field('Shots', (r) => (r.shotsPlannedByModel ? 'planned by the model' : r.shots.length ? r.shots.map((s) => `${s.startSeconds}–${s.endSeconds} s: ${s.prompt}`).join('\n') : undefined)),
    field('Negative prompt', (r) => r.negativePrompt),
    field('Duration', (r) => `${r.durationSeconds} s`),
    field('Aspect ratio', (r) => r.aspectRatio),
    field('Quality', (r) => r.quality),
    field('Sound', (r) => r.sound),
    field('Model', (r) => r.model),
    field('First frame', (r) => r.imageStart),
    field('Last frame', (r) => r.imageEnd),
    field('Elements', (r) => (r.elementCount ? String(r.elementCount) : undefined)),
    field('Watermark', (r) => (r.watermark === undefined ? undefined : r.watermark ? 'on' : 'off')),
    field('Price', (r) => `${r.price.usd} · ${r.price.credits} credits${r.simulated ? ' (simulated)' : ''}`),
    field('Created', (r) => r.createdAt),
    field('Task', (r) => r.taskId),
  ].filter((row) => row.values.some((v) => v !== NONE));
}
