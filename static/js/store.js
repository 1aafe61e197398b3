// The page's copy of the catalog: the applications this page shows (tag filter applied) and all
// bookmarks, of every cluster, grouped and ordered exactly as the server does (group, location,
// name, id; groups differing only in case are one). Events and poll results change it;
// listeners re-render.

const DEFAULT_LOCATION = 1000;

export function tagSet(raw) {
  return new Set((raw || "").split(",").map((t) => t.trim().toLowerCase()).filter(Boolean));
}

function sortKey(item) {
  const location = Number.isInteger(item.location) ? item.location : DEFAULT_LOCATION;
  return [item.group.toLowerCase(), location, item.name.toLowerCase(), item.id];
}

function compare(a, b) {
  const ka = sortKey(a);
  const kb = sortKey(b);
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] < kb[i]) return -1;
    if (ka[i] > kb[i]) return 1;
  }
  return 0;
}

/** `[{name, key, items}]` in display order; `name` is the spelling of the first member. */
export function groupItems(items, section) {
  const groups = [];
  for (const item of [...items].sort(compare)) {
    const last = groups[groups.length - 1];
    if (last && last.items[0].group.toLowerCase() === item.group.toLowerCase()) {
      last.items.push(item);
    } else {
      const key = `${section}:${item.group.toLowerCase()}`;
      groups.push({ name: item.group, key, items: [item] });
    }
  }
  return groups;
}

function valid(item) {
  return item && typeof item.id === "string" && typeof item.name === "string" &&
    typeof item.group === "string";
}

export function createStore({ tags, applications, bookmarks }) {
  const wanted = new Set((tags || []).map((t) => t.toLowerCase()));
  const apps = new Map();
  const marks = new Map();
  const listeners = [];

  function shown(app) {
    const own = tagSet(app.tags);
    if (!own.size) return true;
    for (const tag of own) if (wanted.has(tag)) return true;
    return false;
  }

  function changed(section) {
    for (const listener of listeners) listener(section);
  }

  function put(map, item, section) {
    if (!valid(item)) return;
    if (section === "apps" && !shown(item)) {
      if (map.delete(item.id)) changed(section);
      return;
    }
    map.set(item.id, item);
    changed(section);
  }

  function remove(map, data, section) {
    if (data && map.delete(data.id)) changed(section);
  }

  function replace(map, items, section) {
    map.clear();
    for (const item of items) {
      if (valid(item) && (section !== "apps" || shown(item))) map.set(item.id, item);
    }
    changed(section);
  }

  replace(apps, applications || [], "apps");
  replace(marks, bookmarks || [], "bookmarks");

  return {
    tags: [...wanted],
    onChange(listener) { listeners.push(listener); },
    applications: () => [...apps.values()],
    bookmarks: () => [...marks.values()],
    /** Groups of one section; with `cluster`, only that cluster's items. */
    groups(section, cluster = "") {
      const items = [...(section === "apps" ? apps.values() : marks.values())];
      return groupItems(cluster ? items.filter((i) => i.cluster === cluster) : items, section);
    },
    get(section, id) { return (section === "apps" ? apps : marks).get(id); },
    replaceApplications(items) { replace(apps, items, "apps"); },
    replaceBookmarks(items) { replace(marks, items, "bookmarks"); },
    /** Apply one event of the stream (SPEC §4); returns false for types it does not handle. */
    apply(type, data) {
      switch (type) {
        case "APPLICATION_ADDED":
        case "APPLICATION_UPDATED": put(apps, data, "apps"); return true;
        case "APPLICATION_REMOVED": remove(apps, data, "apps"); return true;
        case "BOOKMARK_ADDED":
        case "BOOKMARK_UPDATED": put(marks, data, "bookmarks"); return true;
        case "BOOKMARK_REMOVED": remove(marks, data, "bookmarks"); return true;
        case "STATUS_CHANGED": {
          const app = data && typeof data.id === "string" ? apps.get(data.id) : null;
          if (app && app.available !== data.available) {
            apps.set(app.id, { ...app, available: data.available !== false });
            changed("apps");
          }
          return true;
        }
        default: return false;
      }
    },
  };
}
