/**
 * The URL with its password replaced by "redacted" (for log lines that show a connection URL),
 * also for URLs that list several hosts (`redis+cluster://u:p@h1:1,h2:2`), which `URL` cannot read.
 */
export function redactUrl(url: string): string {
  if (URL.canParse(url)) {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = 'redacted';
    return parsed.toString();
  }
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*:)[^/?#]*@/i, '$1redacted@');
}
