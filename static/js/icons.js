// Real icons as a progressive enhancement: the letter avatar is always there, and is covered by
// the icon only once its image has loaded: from the icon sets the app serves itself, else
// Iconify's CDN (also the fallback for a name the installed sets lack), or an image URL. With
// neither reachable, the letter stays and nothing breaks.

const loads = new Map();

function load(src) {
  if (!loads.has(src)) {
    loads.set(src, new Promise((resolve) => {
      const img = new Image();
      img.referrerPolicy = "no-referrer";
      img.decoding = "async";
      img.onload = () => resolve(img.naturalWidth > 0);
      img.onerror = () => resolve(false);
      img.src = src;
    }));
  }
  return loads.get(src);
}

function cssUrl(src) {
  return `url("${src.replace(/["\\\n\r]/g, (c) => encodeURIComponent(c))}")`;
}

async function upgrade(box) {
  const first = box.getAttribute("data-icon");
  const fallback = box.getAttribute("data-icon-fallback");
  const mode = box.getAttribute("data-icon-mode");
  let src = first;
  if (!(await load(first))) src = fallback && (await load(fallback)) ? fallback : null;
  if (!src || !box.isConnected || box.getAttribute("data-icon") !== first) return;
  if (box.querySelector(".card__glyph")) return;
  let glyph;
  if (mode === "mask") {
    glyph = document.createElement("span");
    glyph.style.setProperty("--glyph", cssUrl(src));
  } else {
    glyph = document.createElement("img");
    glyph.alt = "";
    glyph.referrerPolicy = "no-referrer";
    glyph.src = src;
  }
  glyph.className = `card__glyph card__glyph--${mode === "mask" ? "mask" : "img"}`;
  box.append(glyph);
  box.classList.add("card__icon--loaded");
}

/** Start loading every not yet upgraded icon under `root`. */
export function upgradeIcons(root) {
  for (const box of root.querySelectorAll(".card__icon[data-icon]:not(.card__icon--loaded)")) {
    upgrade(box);
  }
}
