// Progress bars of background jobs: poll the job's JSON until it ends, then reload the page.
(function () {
  document.querySelectorAll("[data-job-url]").forEach(function (box) {
    var bar = box.querySelector(".progress > div");
    var label = box.querySelector("[data-job-label]");
    function poll() {
      fetch(box.dataset.jobUrl, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          bar.style.width = job.percent + "%";
          box.setAttribute("aria-valuenow", job.percent);
          if (label) { label.textContent = job.percent + "% " + (job.message || ""); }
          if (job.state === "succeeded" || job.state === "failed") { window.location.reload(); }
          else { setTimeout(poll, 500); }
        })
        .catch(function () { setTimeout(poll, 2000); });
    }
    poll();
  });
})();

// "Back" links: return to the previous page (no inline script: the Content-Security-Policy forbids it).
document.querySelectorAll("a[data-back]").forEach(function (link) {
  link.addEventListener("click", function (event) {
    if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
  });
});

// "Select all" boxes: check or clear every box named by data-select-all.
document.querySelectorAll("input[data-select-all]").forEach(function (all) {
  all.addEventListener("change", function () {
    document.querySelectorAll('input[type=checkbox][name="' + all.dataset.selectAll + '"]')
      .forEach(function (box) { box.checked = all.checked; });
  });
});

// Tables that become cards on a phone (.narrow-cards): each cell gets its column's header as a
// label, then the CSS may turn the rows into cards (without labels the table just scrolls).
document.querySelectorAll(".narrow-cards").forEach(function (box) {
  box.querySelectorAll("table").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      if (row.cells.length !== heads.length) { return; }
      Array.prototype.forEach.call(row.cells, function (cell, i) { cell.dataset.label = heads[i]; });
    });
  });
  box.classList.add("is-labelled");
});
