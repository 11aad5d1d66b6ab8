"use strict";
// The binding page: each place is chosen by its words (the field's list searches them by any part of
// a name); a proposal fills the field; the code beside it follows, small, as a detail. Enter moves
// on, Ctrl+Enter saves.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("bind-form");
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input.binding"));
  var codes = {};
  Array.prototype.forEach.call(document.querySelectorAll("#all-bindings option"), function (option) {
    codes[option.value] = option.dataset.binding;
  });
  var show = function (input) {
    var code = input.parentNode.querySelector(".binding-code");
    code.textContent = input.value ? (codes[input.value.trim()] || "") : "";
  };
  form.addEventListener("click", function (event) {
    var chip = event.target.closest(".chip");
    if (!chip) { return; }
    var input = chip.closest("tr").querySelector("input.binding");
    input.value = chip.dataset.words;
    show(input);
    input.dispatchEvent(new Event("input", { bubbles: true }));
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
