/* Glossary tooltips that stay inside the window, in the review edition (no network, no library). */
(function () {
  "use strict";
  // The title attribute is the tooltip without script; with script it moves to data-tip so the
  // browser's own tooltip does not show twice.
  document.querySelectorAll("mark.term[title]").forEach(function (mark) {
    mark.setAttribute("data-tip", mark.getAttribute("title"));
    mark.removeAttribute("title");
  });
  var tip = document.createElement("div");
  tip.id = "tip";
  tip.setAttribute("role", "tooltip");
  tip.hidden = true;
  document.body.appendChild(tip);
  var shown = null;

  function partners(mark) {
    return document.querySelectorAll('mark.term[data-term="' + mark.getAttribute("data-term") + '"]');
  }
  function show(mark) {
    if (shown === mark) return;
    hide();
    shown = mark;
    partners(mark).forEach(function (m) { m.classList.add("on"); });
    tip.textContent = mark.getAttribute("data-tip") || "";
    tip.hidden = false;
    var box = mark.getBoundingClientRect();
    var width = tip.offsetWidth, height = tip.offsetHeight;
    var left = Math.min(Math.max(8, box.left), window.innerWidth - width - 8);
    var top = box.bottom + 6;
    if (top + height > window.innerHeight - 8) top = box.top - height - 6;
    tip.style.left = Math.max(8, left) + "px";
    tip.style.top = Math.max(8, top) + "px";
  }
  function hide() {
    if (!shown) return;
    partners(shown).forEach(function (m) { m.classList.remove("on"); });
    shown = null;
    tip.hidden = true;
  }
  function markOf(node) {
    return node && node.closest ? node.closest("mark.term") : null;
  }
  document.addEventListener("mouseover", function (event) {
    var mark = markOf(event.target);
    if (mark) show(mark);
  });
  document.addEventListener("mouseout", function (event) {
    var mark = markOf(event.target);
    if (mark && !mark.contains(event.relatedTarget)) hide();
  });
  document.addEventListener("click", function (event) {  // touch screens have no hover
    var mark = markOf(event.target);
    if (mark) show(mark); else hide();
  });
  window.addEventListener("scroll", hide, { passive: true });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") hide();
  });
})();
