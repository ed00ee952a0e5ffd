/* Language views: both columns, Chinese only or English only (no network, no library). */
(function () {
  "use strict";
  var text = document.getElementById("text");
  var views = document.querySelector(".views");
  if (views && text) {
    views.hidden = false;
    views.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-view]");
      if (!button) return;
      text.classList.remove("view-both", "view-zh", "view-en");
      text.classList.add("view-" + button.getAttribute("data-view"));
      views.querySelectorAll("button").forEach(function (b) {
        b.setAttribute("aria-pressed", String(b === button));
      });
    });
  }
})();
