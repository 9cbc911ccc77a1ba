// A grid saved as it is typed (the judge's scores, the timekeeper's times): each cell is posted
// to the table's data-save-url as {code, item, value}; the keyboard moves down a column.
document.querySelectorAll("table[data-save-url]").forEach(function (table) {
  var status = document.getElementById("grid-status");
  var progress = document.getElementById("progress");
  var timers = new WeakMap();

  function save(input) {
    clearTimeout(timers.get(input));
    var value = input.value.trim();
    if (value === "" || value === input.dataset.saved) { return; }
    // One save per cell at a time; a value typed meanwhile is sent when it returns.
    if (input.dataset.inflight) { input.dataset.pending = "1"; return; }
    input.dataset.inflight = "1";
    input.classList.remove("error", "saved");
    input.classList.add("saving");
    fetch(table.dataset.saveUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": table.dataset.csrf },
      body: JSON.stringify({ code: input.dataset.code, item: input.dataset.item, value: value })
    }).then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        delete input.dataset.inflight;
        input.classList.remove("saving");
        if (res.ok) {
          input.dataset.saved = res.body.value;
          // A grid that writes values back (the times: "52分30秒" is shown as 52:30).
          if (table.dataset.echo && input.value.trim() === value) { input.value = res.body.value; }
          input.classList.add("saved");
          input.removeAttribute("aria-invalid");
          input.title = "";
          if (res.body.new) {
            var count = document.getElementById("done-count");
            count.textContent = Number(count.textContent) + 1;
          }
        } else {
          input.classList.add("error");
          input.setAttribute("aria-invalid", "true");
          input.title = res.body.error;
          status.textContent = input.getAttribute("aria-label") + ": " + res.body.error;
        }
      })
      .catch(function () { input.classList.remove("saving"); input.classList.add("error"); })
      .then(function () {
        delete input.dataset.inflight;
        if (input.dataset.pending) { delete input.dataset.pending; save(input); }
      });
  }

  function move(input, delta) {
    var column = input.dataset.item ? '[data-item="' + input.dataset.item + '"]' : "";
    var cells = table.querySelectorAll("input.score" + column);
    var row = Number(input.dataset.row) + delta;
    if (row >= 0 && row < cells.length) { cells[row].focus(); cells[row].select(); }
  }

  table.querySelectorAll("input.score").forEach(function (input) {
    input.dataset.saved = input.value;
    input.addEventListener("input", function () {
      clearTimeout(timers.get(input));
      timers.set(input, setTimeout(function () { save(input); }, 500));
    });
    input.addEventListener("change", function () { clearTimeout(timers.get(input)); save(input); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === "ArrowDown") { event.preventDefault(); save(input); move(input, 1); }
      if (event.key === "ArrowUp") { event.preventDefault(); save(input); move(input, -1); }
    });
  });
});
