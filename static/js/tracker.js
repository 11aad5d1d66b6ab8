"use strict";
// Small behaviours for every page. Served as a file: the Content-Security-Policy forbids inline script.
document.addEventListener("DOMContentLoaded", function () {
  // <button data-print> prints the page (the print stylesheet hides navigation and buttons).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
});
