// Collapsible groups, remembered in localStorage by section and group name (case-insensitive),
// so a group folded away stays folded after a reload and when it reappears live. prefs-init.js
// folded the remembered ones before the first paint; here they fold and unfold from then on.

export function createCollapse({ i18n }) {
  const { COLLAPSED: KEY, readList } = window.startpunktLayout;
  const collapsed = new Set(readList(KEY));

  function apply(group) {
    const folded = collapsed.has(group.dataset.key);
    group.classList.toggle("group--collapsed", folded);
    const toggle = group.querySelector(".group__toggle");
    toggle.setAttribute("aria-expanded", String(!folded));
    toggle.title = i18n.t(folded ? "group.expand" : "group.collapse");
    group.querySelector(".grid").hidden = folded;
  }

  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify([...collapsed]));
    } catch {
      // Storage blocked: the group folds for this visit only.
    }
  }

  function toggle(group) {
    const key = group.dataset.key;
    if (collapsed.has(key)) collapsed.delete(key);
    else collapsed.add(key);
    save();
    apply(group);
  }

  /** Fold every group shown (`folded`), or unfold every group, remembered ones included. */
  function setAll(folded) {
    const groups = document.querySelectorAll(".group");
    if (folded) for (const group of groups) collapsed.add(group.dataset.key);
    else collapsed.clear();
    save();
    groups.forEach(apply);
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest(".group__toggle");
    if (button) toggle(button.closest(".group"));
  });
  const applyAll = () => document.querySelectorAll(".group").forEach(apply);
  i18n.onChange(applyAll);
  applyAll();
  return { apply, setAll };
}
