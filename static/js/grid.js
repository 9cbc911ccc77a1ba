// A grid saved as it is typed (the judge's scores, the timekeeper's times): each cell is posted
// to the table's data-save-url as {code, item, value}; the keyboard moves, the page shows progress.
// Every cell carries its own row and column (data-row, data-col; a one-column grid may leave
// data-col out): moving never guesses.
document.querySelectorAll("table[data-save-url]").forEach(function (table) {
  var errors = document.getElementById("grid-errors");
  var state = document.getElementById("save-state");
  var timers = new WeakMap();
  var waiting = new Set();  // typed, not sent yet
  var sending = new Set();  // sent, no answer yet

  function showState() {
    var now = waiting.size || sending.size ? "saving" :
      (table.querySelector("input.score.error") ? "error" : "saved");
    table.dataset.state = now;
    if (state) { state.dataset.state = now; state.textContent = state.dataset[now]; }
  }

  function errorLine(input, text) {
    if (!errors) { return; }
    var key = input.dataset.row + "-" + (input.dataset.col || 0);
    var line = errors.querySelector('li[data-cell="' + key + '"]');
    if (!text) { if (line) { line.remove(); } return; }
    if (!line) { line = document.createElement("li"); line.dataset.cell = key; errors.appendChild(line); }
    line.textContent = input.getAttribute("aria-label") + ": " + text;
  }

  function fail(input, text) {
    input.classList.add("error");
    input.setAttribute("aria-invalid", "true");
    input.title = text;
    errorLine(input, text);
  }

  function saved(input, body) {
    input.dataset.saved = body.value;
    // A grid that writes values back (the times: "52分30秒" is shown as 52:30).
    // Only when nothing else was typed in the cell meanwhile.
    if (table.dataset.echo && input.value.trim() === input.dataset.sent) { input.value = body.value; }
    input.classList.add("saved");
    input.removeAttribute("aria-invalid");
    input.title = "";
    errorLine(input, null);
    if (body.new) {
      var count = document.getElementById("done-count");
      count.textContent = Number(count.textContent) + 1;
    }
  }

  function save(input) {
    clearTimeout(timers.get(input));
    waiting.delete(input);
    var value = input.value.trim();
    if (value === "" || value === input.dataset.saved) { showState(); return; }
    // One save per cell at a time; a value typed meanwhile is sent when it returns.
    if (sending.has(input)) { input.dataset.pending = "1"; waiting.add(input); showState(); return; }
    sending.add(input);
    input.classList.remove("error", "saved");
    input.classList.add("saving");
    showState();
    input.dataset.sent = value;
    fetch(table.dataset.saveUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": table.dataset.csrf },
      body: JSON.stringify({ code: input.dataset.code, item: input.dataset.item, value: value })
    }).then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) { if (res.ok) { saved(input, res.body); } else { fail(input, res.body.error); } })
      .catch(function () { fail(input, table.dataset.offline || "?"); })
      .then(function () {
        sending.delete(input);
        input.classList.remove("saving");
        if (input.dataset.pending) { delete input.dataset.pending; save(input); }
        showState();
      });
  }

  function cell(row, col) {
    var columns = table.querySelector("input.score[data-col]");
    if (!columns && col !== 0) { return null; }  // a one-column grid (the times): Tab moves on
    var column = columns ? '[data-col="' + col + '"]' : "";
    return table.querySelector('input.score[data-row="' + row + '"]' + column);
  }

  // Enter/↓ and ↑ keep the column; Tab and Shift-Tab go along the row, then to the next row.
  function target(input, key, shift) {
    var row = Number(input.dataset.row), col = Number(input.dataset.col || 0);
    if (key === "Enter" || key === "ArrowDown") { return cell(row + 1, col); }
    if (key === "ArrowUp") { return cell(row - 1, col); }
    if (key === "Tab" && !shift) { return cell(row, col + 1) || cell(row + 1, 0); }
    if (key === "Tab" && shift) {
      if (col > 0) { return cell(row, col - 1); }
      var above = table.querySelectorAll('input.score[data-row="' + (row - 1) + '"]');
      return above.length ? above[above.length - 1] : null;
    }
    return undefined;
  }

  table.querySelectorAll("input.score").forEach(function (input) {
    input.dataset.saved = input.value;
    input.addEventListener("input", function () {
      clearTimeout(timers.get(input));
      waiting.add(input);
      showState();
      timers.set(input, setTimeout(function () { save(input); }, 500));
    });
    input.addEventListener("change", function () { save(input); });
    // Clicking into a filled cell selects its value, so typing replaces it.
    input.addEventListener("focus", function () { input.select(); input.dataset.fresh = "1"; });
    input.addEventListener("mouseup", function (event) {
      if (input.dataset.fresh) { event.preventDefault(); delete input.dataset.fresh; }
    });
    input.addEventListener("keydown", function (event) {
      var next = target(input, event.key, event.shiftKey);
      if (next === undefined) { return; }
      if (next === null && event.key === "Tab") { save(input); return; }  // leave the grid
      event.preventDefault();
      save(input);
      if (next) { next.focus(); next.select(); }
    });
  });
  showState();
});
