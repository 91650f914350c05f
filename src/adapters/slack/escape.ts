/**
 * Evidence, log lines and diffs are untrusted text. Slack reads `<...>` as links and mentions
 * (`<!here>`, `<@U123>`), `&` starts an entity, and a bare `@channel` can page a whole channel
 * when link_names is on; this makes all of them literal.
 */
export function escapeMrkdwn(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/@(channel|here|everyone)\b/gi, '@\u200B$1');
}

/** Escaped text for a code block: a ``` inside it would close the block early. */
export function escapeCode(text: string): string {
  return escapeMrkdwn(text).replaceAll('```', '`\u200B`\u200B`');
}

/** Cuts to `max` characters (on a line boundary when one is near), marking what was cut. */
export function clip(text: string, max: number, marker = '…'): string {
  if (text.length <= max) return text;
  const room = max - marker.length;
  const lineEnd = text.lastIndexOf('\n', room);
  const cut = lineEnd > room * 0.8 ? lineEnd : room;
  return `${text.slice(0, cut)}${marker}`;
}

/** A Slack user mention for ids medic itself produced (never for free text). */
export function mention(userId: string): string {
  return /^[UW][A-Z0-9]{2,20}$/.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}
