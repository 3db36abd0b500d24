// BRIDGE_POSTGRES_URL is a secret because of its password; the rest of it (host, database, parameters) is
// what an operator needs to see in check-config and in errors.

/** The URL as it may be shown: the password replaced by a mask. Never throws. */
export function maskPostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** The password in a URL, if any, so loggers can scrub it wherever it appears. */
export function postgresPassword(url: string): string | undefined {
  try {
    const p = decodeURIComponent(new URL(url).password);
    return p === '' ? undefined : p;
  } catch {
    return undefined;
  }
}
