"use strict";
// The review page's "Copy text" button. A static file: the CSP forbids inline script.
document.addEventListener("DOMContentLoaded", function () {
  // Copies the review as plain paragraphs, one a line, without the page's markup.
  document.getElementById("copy-review").addEventListener("click", function () {
    var button = this;
    var blocks = document.querySelectorAll("#review-text > h2, #review-text > h3, #review-text > p");
    var text = Array.prototype.map.call(blocks, function (block) { return block.textContent; }).join("\n");
    var done = function () { button.textContent = button.dataset.copied; };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(text).then(done);
      return;
    }
    // Plain http outside localhost has no clipboard API.
    var area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    if (document.execCommand("copy")) { done(); }
    document.body.removeChild(area);
  });
});
