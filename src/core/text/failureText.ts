/**
 * A failed task's message, verbatim, with its code after a middle dot: "The content was flagged… (simulated) ·
 * content_policy_violation", not "… (simulated) (content_policy_violation)", two parentheses in a row. The simulator
 * ends its messages with "(simulated)" (taskBody.ts), and a service message may end with a note of its own.
 */
export function failureText(message: string, code: string): string {
  const text = message.trim();
  return code === '' || text.includes(code) ? text : `${text} · ${code}`;
}

/** Text made a sentence before another is added after it: "… · generation_timeout." then "Rendering again may help." */
export function asSentence(text: string): string {
  return /[.!?)]$/.test(text) ? text : `${text}.`;
}
