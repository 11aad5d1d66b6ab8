"use strict";
// The group's grid: arrow keys and Enter move between cells; a block pasted from Excel (rows of
// tab-separated cells) fills the grid from the focused cell, skipping read-only columns' cells.
// The leave warning is tracker.js's (a paste dispatches "input" for it).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form.entry-grid-form");
  if (!form) { return; }
  var rows = Array.prototype.map.call(form.querySelectorAll("tbody tr:not(.section)"), function (tr) {
    return Array.prototype.slice.call(tr.querySelectorAll("input.grid-cell"));
  });
  var position = function (input) {
    for (var r = 0; r < rows.length; r++) {
      var c = rows[r].indexOf(input);
      if (c >= 0) { return [r, c]; }
    }
    return null;
  };
  var move = function (r, c) {
    if (r < 0 || r >= rows.length || c < 0 || c >= rows[r].length) { return; }
    rows[r][c].focus();
    rows[r][c].select();
  };
  form.addEventListener("keydown", function (event) {
    var at = event.target.classList.contains("grid-cell") ? position(event.target) : null;
    if (!at) { return; }
    var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], Enter: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    var step = moves[event.key];
    if (!step) { return; }
    // Left and right move between cells only from a cell's ends, so that editing a figure still works.
    var input = event.target;
    if (event.key === "ArrowLeft" && input.selectionStart > 0) { return; }
    if (event.key === "ArrowRight" && input.selectionEnd < input.value.length) { return; }
    event.preventDefault();
    move(at[0] + step[0], at[1] + step[1]);
  });
  form.addEventListener("paste", function (event) {
    var at = event.target.classList.contains("grid-cell") ? position(event.target) : null;
    var text = (event.clipboardData || window.clipboardData).getData("text");
    if (!at || (text.indexOf("\t") < 0 && text.indexOf("\n") < 0)) { return; }  // one value: paste as usual
    event.preventDefault();
    text.replace(/\r/g, "").replace(/\n$/, "").split("\n").forEach(function (line, i) {
      line.split("\t").forEach(function (value, j) {
        var row = rows[at[0] + i];
        var input = row && row[at[1] + j];
        if (input && !input.readOnly) { input.value = value.trim(); }
      });
    });
    form.dispatchEvent(new Event("input"));
  });
});
