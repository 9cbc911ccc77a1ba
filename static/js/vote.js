// The public vote of a 工匠 selection: a vote is sent without leaving the page; the answer
// (thanks, or why it was refused) is shown under the nominee and the count goes up by one.
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
      const answer = document.getElementById("answer-" + id);
      button.disabled = true;
      try {
        const response = await fetch(form.action, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            Accept: "application/json",
            "X-Vote-Device": list.dataset.device,
            "X-Vote-Language": list.dataset.lang,
          },
        });
        const data = await response.json();
        answer.textContent = data.message;
        answer.className = "vote-answer " + (data.ok ? "success" : "error");
        if (data.ok) {
          const count = document.getElementById("count-" + id);
          count.textContent = String(Number(count.textContent) + 1);
        }
      } catch (err) {
        form.submit();  // no answer: the form posts as it would without this script
        return;
      }
      button.disabled = false;
    });
  });
});
