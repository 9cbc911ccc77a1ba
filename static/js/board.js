// The live board in the hall: one page of one trade at a time, the next every few seconds
// (data-rotate, or ?rotate=N in the screen's address); the content is fetched again every few
// seconds (data-refresh) and redrawn when it changed, staying on the page it was showing.
(function () {
  var board = document.getElementById("board");
  if (!board) { return; }
  var every = Math.max(1, parseInt(board.dataset.refresh, 10) || 15) * 1000;
  var asked = parseInt(new URLSearchParams(window.location.search).get("rotate"), 10);
  var rotate = Math.max(2, asked || parseInt(board.dataset.rotate, 10) || 8) * 1000;
  var current = 0;
  var timer = null;

  function pages() { return Array.prototype.slice.call(board.querySelectorAll(".board-page")); }
  function where() {
    var page = pages()[current];
    if (!page) { return null; }
    return { trade: page.closest(".board-trade").dataset.ct, page: page.dataset.page, index: current, count: pages().length };
  }
  function show(index) {
    var all = pages();
    current = all.length ? ((index % all.length) + all.length) % all.length : 0;
    all.forEach(function (page, i) { page.classList.toggle("is-current", i === current); });
    board.querySelectorAll(".board-trade").forEach(function (trade) {
      trade.classList.toggle("is-current", all.length > 0 && trade.contains(all[current]));
    });
    return where();
  }
  // The next page (after the last page of a trade, the next trade; after the last, the first).
  function next() {
    clearTimeout(timer);
    var shown = show(current + 1);
    timer = setTimeout(next, rotate);
    return shown;
  }
  // After a redraw: the same page of the same trade if it is still there, else its first page.
  function showAgain(was) {
    var all = pages();
    var same = function (page) { return page.closest(".board-trade").dataset.ct === was.trade; };
    var index = all.findIndex(function (page) { return same(page) && page.dataset.page === was.page; });
    show(index >= 0 ? index : Math.max(0, all.findIndex(same)));
  }
  function stamp() {
    var body = board.querySelector(".board-body");
    return body ? body.dataset.stamp : "";
  }
  function poll() {
    fetch(board.dataset.boardUrl, { headers: { Accept: "text/html" }, cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (html) {
        var next = document.createElement("div");
        next.innerHTML = html;
        var fresh = next.querySelector(".board-body");
        if (fresh && fresh.dataset.stamp !== stamp()) {
          var was = where();
          board.replaceChildren(fresh);
          if (was) { showAgain(was); } else { show(0); }
          board.dataset.updatedAt = String(Date.now());
        }
      })
      .catch(function () { /* the hall's network blinked: try again next time */ })
      .finally(function () { setTimeout(poll, every); });
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight" || event.key === " ") { event.preventDefault(); next(); }
  });
  window.jingsaiBoard = { next: next, where: where };
  board.classList.add("rotating");
  show(0);
  timer = setTimeout(next, rotate);
  setTimeout(poll, every);
})();
