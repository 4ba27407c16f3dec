// GitHub's workflow commands, escaped exactly as GitHub's own toolkit does (actions/toolkit,
// packages/core/src/command.ts): the message escapes %, CR and LF; a property value also escapes : and , which
// would otherwise end it. A property without a value is left out, as the toolkit leaves it out.

export type CommandProperties = Readonly<Record<string, string | number | undefined>>;

export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::name key=value,key=value::message`, one line. */
export function workflowCommand(name: string, properties: CommandProperties, message: string): string {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== undefined && value !== '' && value !== 0)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}
