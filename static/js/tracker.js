"use strict";
// Small behaviours for every page. Served as a file: the Content-Security-Policy forbids inline script.
document.addEventListener("DOMContentLoaded", function () {
  // <button data-print> prints the page (the print stylesheet hides navigation and buttons).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // <form data-leave-warning="…"> asks before the page is left with changes not yet saved. A script
  // that changes the form's fields itself (a paste, "copy the previous period") dispatches "input".
  document.querySelectorAll("form[data-leave-warning]").forEach(function (form) {
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) { return; }
      event.preventDefault();
      event.returnValue = form.dataset.leaveWarning;
    });
  });
});
