/**
 * A failed task's message with its code, in one parenthesis: "Flagged by the content policy. (content_policy_violation;
 * simulated)", not "… (simulated) (content_policy_violation)". The simulator ends its messages with "(simulated)"
 * (taskBody.ts), and a service message may end with a note of its own in parentheses.
 */
export function failureText(message: string, code: string): string {
  const text = message.trim();
  if (code === '' || text.includes(code)) return text;
  const note = /\s*\(([^()]*)\)$/.exec(text);
  if (!note) return `${text} (${code})`;
  return `${text.slice(0, note.index)} (${code}; ${note[1]})`;
}
