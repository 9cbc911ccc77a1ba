// The public vote of a 工匠 selection: a vote is sent without leaving the page; the answer
// (thanks, or why it was refused) is shown under the nominee and the count goes up by one.
// When a burst comes from this network the page is opened again with the nominee's check,
// which vote_challenge.js solves and sends through the form.
// The device's signed token goes in the X-Vote-Device header (the script's CSRF token, see
// competitions/selection/voting.py); without this script the form posts as any form does.
document.addEventListener("DOMContentLoaded", () => {
  const list = document.getElementById("vote-list");
  if (!list || !window.fetch) return;
  list.querySelectorAll("form").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const card = form.closest(".vote-card");
      const id = card.id.slice(1);
      const button = form.querySelector("button");
      const answer = document.getElementById("said-" + id);
      button.disabled = true;
      try {
        const response = await fetch(form.action, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            Accept: "application/json",
            "X-Vote-Device": list.dataset.device,
            "X-Vote-Language": list.dataset.lang,
            // where the app answers (no Redis: the embedded start), the form's own token
            "X-CSRFToken": form.querySelector("input[name=csrf_token]").value,
          },
        });
        const data = await response.json();
        if (data.challenge) {  // a burst from this network: the page asks its check, then votes
          const url = new URL(window.location.href);
          url.searchParams.set("challenge", id);
          url.hash = "n" + id;
          window.location.assign(url.toString());
          return;
        }
        answer.textContent = data.message;
        answer.className = "vote-answer " + (data.ok ? "success" : "error");
        if (data.ok) {  // one vote per nominee a day: the button stays off, marked
          const count = document.getElementById("count-" + id);
          count.textContent = String(Number(count.textContent) + 1);
          document.getElementById("voted-" + id).hidden = false;
          return;
        }
      } catch (err) {
        form.submit();  // no answer: the form posts as it would without this script
        return;
      }
      button.disabled = false;
    });
  });
});
