/**
 * The file name a prompt gives a video made outside any storyboard when none is typed: its first words, lowercase,
 * joined by "-" (so it also follows the storyboard's name rules). A module without imports: the activation bundle's
 * Generate from Prompt and the composer's page both use it.
 */
export function fileNameFromPrompt(prompt: string): string {
  return prompt.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '') || 'video';
}
