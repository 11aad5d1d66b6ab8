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
    form.addEventListener("input", function (event) {
      // A field inside this form that belongs to another (the grid's review ticks, form="grid-review") changes nothing here.
      if (event.target.form && event.target.form !== form) { return; }
      dirty = true;
    });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) { return; }
      event.preventDefault();
      event.returnValue = form.dataset.leaveWarning;
    });
  });
  // <input type=checkbox data-tick-all> ticks or unticks every report of its form (a bulk review list; the
  // grid's ticks sit in its header, tied to the form by their form attribute, and form.elements has them).
  document.querySelectorAll("input[data-tick-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      Array.prototype.forEach.call(all.form.elements, function (box) {
        if (box.type === "checkbox" && box.name === "report") { box.checked = all.checked; }
      });
    });
  });
});
