// The "all" box of a list of recommended entries ticks or clears every box of the list.
document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("all");
  if (!all) return;
  all.addEventListener("change", () => {
    document.querySelectorAll("input[name=entry_ids]").forEach((box) => {
      box.checked = all.checked;
    });
  });
});
