"use strict";
// The entry page: figure to figure with Tab or Enter, and "copy the previous period" (fills empty
// figures; nothing is saved until the form is). The leave warning is tracker.js's.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form.entry");
  if (!form) { return; }
  var figures = Array.prototype.slice.call(form.querySelectorAll("input.figure"));

  figures.forEach(function (input, index) {
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" && event.key !== "Tab") { return; }
      if (event.key === "Tab" && (event.altKey || event.ctrlKey || event.metaKey)) { return; }
      // The figures are a chain of their own: notes and history links stay reachable by the mouse
      // and by Tab from a note, but typing figures never stops on them.
      var next = figures[index + (event.shiftKey ? -1 : 1)];
      if (!next) { return; }
      event.preventDefault();
      next.focus();
      next.select();
    });
  });

  var copy = form.querySelector("[data-copy-previous]");
  if (copy) {
    copy.addEventListener("click", function () {
      var changed = false;
      form.querySelectorAll(".figure-cell").forEach(function (cell) {
        var input = cell.querySelector("input.figure");
        if (input && input.value === "" && cell.dataset.previous !== "") {
          input.value = cell.dataset.previous;
          changed = true;
        }
      });
      // The page's leave warning (tracker.js) listens for "input".
      if (changed) { form.dispatchEvent(new Event("input")); }
    });
  }
});
