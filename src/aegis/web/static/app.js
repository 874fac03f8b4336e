// Aegis page behaviour: confirmation of destructive actions, upload progress, offline shell.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  document.addEventListener("htmx:confirm", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var bar = document.querySelector("progress[data-upload-progress]");
    if (bar && event.detail.lengthComputable) {
      bar.hidden = false;
      bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]")) {
      target.form.requestSubmit();
    }
  });

  // Forms marked data-swap-errors show the server's answer to a refused change (422, 413, 409)
  // in place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if ((status === 422 || status === 413 || status === 409) && source && source.closest && source.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // tables that scroll sideways on narrow screens must be reachable with the keyboard
  function focusableScrollers() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (!wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", focusableScrollers);
  document.addEventListener("htmx:afterSettle", focusableScrollers);

  // Risk form: the criteria, score, level and warnings follow the ratings as they change.
  // The server computes the same on saving; the bands and cells come in data-risk-matrix.
  function ratingLevel(matrix, likelihood, impact) {
    var chosen = matrix.cells[likelihood + "x" + impact];
    var score = likelihood * impact;
    for (var i = 0; i < matrix.bands.length; i++) {
      var band = matrix.bands[i];
      if (chosen ? band.name === chosen : band.min <= score && score <= band.max) {
        return band;
      }
    }
    return null;
  }

  function ratingValue(box, name) {
    var select = box.querySelector('select[name="' + name + '"]');
    var value = select ? parseInt(select.value, 10) : NaN;
    return isNaN(value) ? null : value;
  }

  function showRatingPreview(box, matrix, kind) {
    var preview = box.querySelector('[data-rating-preview="' + kind + '"]');
    if (!preview) {
      return;
    }
    var likelihood = ratingValue(box, kind + "_likelihood");
    var impact = ratingValue(box, kind + "_impact");
    var band = likelihood && impact ? ratingLevel(matrix, likelihood, impact) : null;
    var level = preview.querySelector("[data-preview-level]");
    preview.querySelector("[data-preview-score]").textContent = band
      ? "Score " + likelihood * impact
      : "Not rated yet";
    level.hidden = !band;
    level.textContent = band ? band.name : "";
    level.className = "badge badge--" + (band ? band.badge : "none");
    preview.querySelector("[data-preview-appetite]").hidden = !band || likelihood * impact <= matrix.appetite;
  }

  function showRatingWarning(box) {
    var status = box.querySelector("[data-rating-status]");
    if (!status) {
      return;
    }
    var higher = ["likelihood", "impact"].some(function (axis) {
      var residual = ratingValue(box, "residual_" + axis);
      var inherent = ratingValue(box, "inherent_" + axis);
      return residual !== null && inherent !== null && residual > inherent;
    });
    var shown = status.querySelector(".rating-warning");
    if (higher && !shown) {
      shown = document.createElement("p");
      shown.className = "alert rating-warning";
      shown.textContent = status.getAttribute("data-warning");
      status.appendChild(shown);
    } else if (!higher && shown) {
      shown.remove();
    }
  }

  function updateRatings(select) {
    var box = select.closest("[data-risk-matrix]");
    if (!box) {
      return;
    }
    var matrix = JSON.parse(box.getAttribute("data-risk-matrix"));
    var hint = box.querySelector('[data-criteria-for="' + select.name + '"]');
    var option = select.options[select.selectedIndex];
    if (hint) {
      hint.textContent = option ? option.getAttribute("data-criteria") || "" : "";
    }
    showRatingPreview(box, matrix, "inherent");
    showRatingPreview(box, matrix, "residual");
    showRatingWarning(box);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-rating]")) {
      updateRatings(target);
    }
  });

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function () {});
    });
  }
})();
