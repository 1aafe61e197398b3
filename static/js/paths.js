// Where the app lives: every URL the page builds starts with the root path the server rendered
// into <html data-root> (empty, or `web.rootPath` such as "/start"), so the page works the same
// under a prefix, directly or behind a proxy.

export const ROOT = document.documentElement.dataset.root || "";

/** `path` (absolute, e.g. "/api/apps") under the app's root. */
export function url(path) {
  return ROOT + path;
}
