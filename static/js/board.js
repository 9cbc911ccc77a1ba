// The live board: fetch the board's content every few seconds and redraw it when it changed.
(function () {
  var board = document.getElementById("board");
  if (!board) { return; }
  var every = Math.max(1, parseInt(board.dataset.refresh, 10) || 15) * 1000;
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
          board.replaceChildren(fresh);
          board.dataset.updatedAt = String(Date.now());
        }
      })
      .catch(function () { /* the hall's network blinked: try again next time */ })
      .finally(function () { setTimeout(poll, every); });
  }
  setTimeout(poll, every);
})();
