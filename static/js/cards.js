// Cards and groups built in the browser, the same markup templates/_macros.html renders on the
// server. The link, colour and icon rules mirror startpunkt/safe.py pattern for pattern (change
// both together; tests/browser/test_page_parity.py compares them). Everything from the cluster
// goes in with textContent or a validated attribute, never as HTML.

const URL_BANNED =
  /[\x00-\x20\x7f-\xa0\u1680\u2000-\u200f\u2028-\u202f\u205f\u2066-\u2069\u3000\ufeff\\<>"`]/;
const SAFE_URL =
  /^https?:\/\/((?:[^/?#@]*@)?(?:[^/?#@:\[\]]+|\[[0-9a-f:.]+\])(?::([0-9]*))?)(?:[/?#].*)?$/i;
const MAX_PORT = 65535;
const COLOR = /^(?:#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30}|(?:rgb|hsl)a?\([0-9.,%/+ \t\n\r\f-]{1,60}\))$/;
const ICON_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MASK_SETS = new Set(["mdi", "simple-icons"]);
const ICONIFY = "https://api.iconify.design";
const AVATAR_HUES = [211, 262, 330, 4, 24, 142, 174, 196, 236, 286, 348, 36];
const LETTER = /[\p{L}\p{N}]/u;

export function safeUrl(url) {
  if (typeof url !== "string" || !url || URL_BANNED.test(url)) return null;
  const match = SAFE_URL.exec(url);
  if (!match || Number(match[2] || 0) > MAX_PORT) return null;
  return match[1].normalize("NFKC") === match[1] ? url : null;
}

export function cssColor(value) {
  const v = typeof value === "string" ? value.trim() : "";
  return COLOR.test(v) ? v : null;
}

export function iconSource(icon, local = {}) {
  icon = typeof icon === "string" ? icon.trim() : "";
  if (!icon) return null;
  if (safeUrl(icon)) return [icon, "img", null];
  const lower = icon.toLowerCase();
  const cut = lower.lastIndexOf(":");
  const prefix = (cut >= 0 ? lower.slice(0, cut) : "") || "mdi";
  const name = lower.slice(cut + 1);
  if (!ICON_NAME.test(prefix) || !ICON_NAME.test(name)) return null;
  const mode = MASK_SETS.has(prefix) ? "mask" : "img";
  const cdn = `${ICONIFY}/${prefix}/${name}.svg`;
  const base = Object.hasOwn(local || {}, prefix) ? local[prefix] : null;
  return base ? [`${base}/${name}.svg`, mode, cdn] : [cdn, mode, null];
}

export function avatarHue(name) {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return AVATAR_HUES[h % AVATAR_HUES.length];
}

export function avatarLetter(name) {
  for (const ch of name) if (LETTER.test(ch)) return ch.toUpperCase().slice(0, 2);
  return "?";
}

export function tagList(tags) {
  return (tags || "").split(",").map((t) => t.trim()).filter(Boolean);
}

export function shortUrl(url) {
  return (url || "").replace(/^https?:\/\//i, "").replace(/\/$/, "");
}

/** The icon box's inline style: its avatar hue and, when valid, the item's own colour. */
export function avatarStyle(item) {
  const color = cssColor(item.iconColor);
  return `--hue: ${avatarHue(item.name)}${color ? `; --icon-color: ${color}` : ""}`;
}

/** A new element; `text` goes in as text, never as HTML. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A `<span>` with translation `key`, marked so i18n.js re-translates it on a language change. */
function translated(className, key, t) {
  const node = el("span", className, t(key));
  node.setAttribute("data-i18n", key);
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";
const STAR = "M12 3.5l2.6 5.3 5.8.8-4.2 4.1 1 5.8-5.2-2.7-5.2 2.7 1-5.8-4.2-4.1 5.8-.8z";

/** An inline `<svg viewBox="0 0 24 24">` holding one path, hidden from assistive technology. */
function svgPath(className, d) {
  const svg = document.createElementNS(SVG_NS, "svg");
  if (className) svg.setAttribute("class", className);
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", d);
  svg.append(path);
  return svg;
}

/** The icon box: a letter avatar, upgraded to the real icon by icons.js once it loads.
 * `icons` maps the icon sets the app serves to their URL prefix (the page's initial state). */
export function buildIcon(item, icons = {}) {
  const icon = el("span", "card__icon");
  icon.setAttribute("aria-hidden", "true");
  icon.setAttribute("style", avatarStyle(item));
  const source = iconSource(item.icon, icons);
  if (source) {
    icon.setAttribute("data-icon", source[0]);
    icon.setAttribute("data-icon-mode", source[1]);
    if (source[2]) icon.setAttribute("data-icon-fallback", source[2]);
  }
  icon.append(el("span", "card__letter", avatarLetter(item.name)));
  return icon;
}

/** The star that pins a card to the favourites (favourites.js keeps its pressed state). */
function buildPin(item, t) {
  const pin = el("button", "pin");
  pin.setAttribute("type", "button");
  pin.setAttribute("aria-pressed", "false");
  const label = t("favourites.pin", { name: item.name });
  pin.setAttribute("title", label);
  pin.setAttribute("aria-label", label);
  pin.append(svgPath(null, STAR));
  return pin;
}

/** Whether `item` counts as available: bookmarks always, applications unless marked down. */
export function isAvailable(item) {
  return item.available !== false;
}

/** One `<li>` card; `kind` is "app" or "bookmark". */
export function buildCard(item, kind, t, icons = {}) {
  const url = safeUrl(item.url);
  const available = isAvailable(item);
  const link = available ? url : null;
  const cell = el("li", "grid__cell");
  cell.setAttribute("data-id", item.id);
  const stale = item.stale === true ? " card--stale" : "";
  let card;
  if (link) {
    card = el("a", `card card--${kind}${stale}`);
    card.setAttribute("href", link);
    if (item.targetBlank) {
      card.setAttribute("target", "_blank");
      card.setAttribute("rel", "noopener noreferrer");
    } else {
      card.setAttribute("rel", "noreferrer");
    }
  } else {
    card = el("div", `card card--${kind} card--nolink${available ? "" : " card--down"}${stale}`);
    card.setAttribute("tabindex", "0");
    if (!available) card.setAttribute("aria-disabled", "true");
  }
  card.append(buildIcon(item, icons));
  const body = el("span", "card__body");
  body.append(el("span", "card__name", item.name));
  // Shown only while the page holds items of several clusters (html[data-clusters=many]).
  body.append(el("span", "card__cluster", String(item.cluster || "")));
  const info = item.info || shortUrl(url);
  if (info) body.append(el("span", "card__info", info));
  const tags = tagList(item.tags);
  if (tags.length) {
    const box = el("span", "card__tags");
    for (const tag of tags) box.append(el("span", "tag", tag));
    body.append(box);
  }
  if (link && item.targetBlank) body.append(translated("sr-only", "link.newTab", t));
  card.append(body);
  if (kind === "app") {
    if (available) {
      const dot = el("span", "card__status card__status--up");
      dot.setAttribute("title", t("status.available"));
      dot.setAttribute("data-i18n-title", "status.available");
      dot.setAttribute("aria-hidden", "true");
      card.append(dot);
    } else {
      card.append(translated("card__status card__status--down", "status.unavailable", t));
    }
  }
  cell.append(card, buildPin(item, t));
  return cell;
}

let groupCounter = 0;

/** An empty group section (cards are added by the caller). */
export function buildGroup(name, key, section) {
  const n = `${section}-x${groupCounter++}`;
  const group = el("section", "group");
  group.setAttribute("aria-labelledby", `gh-${n}`);
  group.setAttribute("data-key", key);
  group.setAttribute("data-available", "0");
  const title = el("h3", "group__title");
  title.id = `gh-${n}`;
  const toggle = el("button", "group__toggle");
  toggle.type = "button";
  toggle.setAttribute("aria-expanded", "true");
  toggle.setAttribute("aria-controls", `gl-${n}`);
  const chevron = svgPath("group__chevron", "M7 10l5 5 5-5");
  // Both counts; the stylesheet shows the available one while unavailable apps are hidden.
  const count = el("span", "group__count");
  count.setAttribute("aria-hidden", "true");
  count.append(el("span", "group__total", "0"), el("span", "group__available", "0"));
  toggle.append(chevron, el("span", "group__name", name), count);
  title.append(toggle);
  const grid = el("ul", "grid");
  grid.id = `gl-${n}`;
  grid.setAttribute("role", "list");
  group.append(title, grid);
  return group;
}
