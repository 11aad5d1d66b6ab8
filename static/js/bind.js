"use strict";
// The binding page: proposals fill the field, Enter moves on, Ctrl+Enter saves.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("bind-form");
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input.binding"));
  var labels = {};
  Array.prototype.forEach.call(document.querySelectorAll("#all-bindings option"), function (option) {
    labels[option.value] = option.textContent;
  });
  var show = function (input) {
    var label = input.parentNode.querySelector(".binding-label");
    label.textContent = input.value ? (labels[input.value] || input.value) : form.dataset.fixed || "—";
  };
  form.addEventListener("click", function (event) {
    var chip = event.target.closest(".chip");
    if (!chip) { return; }
    var input = chip.closest("tr").querySelector("input.binding");
    input.value = chip.dataset.binding;
    show(input);
    input.focus();
  });
  inputs.forEach(function (input, index) {
    input.addEventListener("input", function () { show(input); });
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();
      if (event.ctrlKey || event.metaKey) { form.submit(); return; }
      var next = inputs[index + 1];
      if (next) { next.focus(); next.select(); }
    });
  });
});
