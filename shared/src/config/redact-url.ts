/** The URL with its password replaced by "redacted" (for log lines that show a connection URL). */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = 'redacted';
  return parsed.toString();
}
