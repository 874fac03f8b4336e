// Password fields: a button shows or hides what is typed. Pasting and password managers are
// never blocked; the strength meter of new passwords needs no script of its own (htmx).
(function () {
  "use strict";

  function reveal(root) {
    root.querySelectorAll("button[data-show-password]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function show(button, shown) {
    var input = document.getElementById(button.getAttribute("data-show-password"));
    if (!input) {
      return;
    }
    input.type = shown ? "text" : "password";
    button.setAttribute("aria-pressed", shown ? "true" : "false");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-show-password]");
    if (button) {
      show(button, button.getAttribute("aria-pressed") !== "true");
    }
  });

  // hidden again when the form is sent, so that the browser never keeps it as plain text
  document.addEventListener("submit", function (event) {
    event.target.querySelectorAll("button[data-show-password]").forEach(function (button) {
      show(button, false);
    });
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    reveal(event.target);
  });
  reveal(document);
})();
