/** What a caught value says: an Error's message, or the value as text (a library may throw a string or anything). */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
