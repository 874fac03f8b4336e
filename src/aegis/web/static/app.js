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

  // Forms marked data-swap-errors show the server's answer to a refused change (422, 413, 409,
  // or 503 when the malware scanner cannot be reached) in place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if ((status === 422 || status === 413 || status === 409 || status === 503) && source && source.closest && source.closest("[data-swap-errors]")) {
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

  // On narrow screens list tables show each row as a card, every value under its column's name,
  // instead of hiding columns behind a sideways scroll (tables of inputs or row headers keep it).
  function cardTables() {
    document.querySelectorAll(".table-wrap:not(.table-cards)").forEach(function (wrap) {
      var table = wrap.querySelector("table");
      if (!table || !table.tHead || table.querySelector("tbody th, input, select, textarea")) {
        return;
      }
      var names = Array.prototype.map.call(table.tHead.rows[0].cells, function (cell) {
        return cell.textContent.replace(/[▲▼]/g, "").replace(/\s+/g, " ").trim();
      });
      table.setAttribute("role", "table");
      Array.prototype.forEach.call(table.querySelectorAll("thead, tbody"), function (group) {
        group.setAttribute("role", "rowgroup");
      });
      Array.prototype.forEach.call(table.rows, function (row) {
        row.setAttribute("role", "row");
        Array.prototype.forEach.call(row.cells, function (cell, index) {
          if (cell.tagName === "TH") {
            cell.setAttribute("role", "columnheader");
          } else {
            cell.setAttribute("role", "cell");
            cell.setAttribute("data-label", names[index] || "");
          }
        });
      });
      wrap.classList.add("table-cards");
    });
  }
  document.addEventListener("DOMContentLoaded", cardTables);
  document.addEventListener("htmx:afterSettle", cardTables);

  // Pickers: the chosen objects are chips with a remove button; ticking a match makes it a chip.
  // Without script they stay checkboxes and the Search button sends the form back for matches.
  function chipText(item) {
    var label = item.querySelector("label, .chip-name");
    return label ? label.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function makeChip(item) {
    var box = item.querySelector("input[type=checkbox]");
    var label = item.querySelector("label");
    if (!label) {
      return;
    }
    var text = chipText(item);
    var kept = null;
    if (box) {
      kept = document.createElement("input");
      kept.type = "hidden";
      kept.name = box.name;
      kept.value = box.value;
    }
    var name = document.createElement("span");
    name.className = "chip-name";
    while (label.firstChild) {
      name.appendChild(label.firstChild);
    }
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "chip-remove";
    remove.setAttribute("data-picker-remove", "");
    remove.setAttribute("aria-label", "Remove " + text);
    remove.title = "Remove";
    remove.textContent = "×";
    item.textContent = "";
    item.className = "chip picker-chip";
    if (kept) {
      item.appendChild(kept);
    }
    item.appendChild(name);
    item.appendChild(remove);
  }

  // A picker of one object keeps its value in a select, hidden once the chip stands for it.
  function singleSelect(picker) {
    return picker.querySelector("select[data-picker-select]");
  }

  function showSingleChip(picker) {
    var select = singleSelect(picker);
    var chips = picker.querySelector("[data-picker-chips]");
    var option = select.options[select.selectedIndex];
    chips.textContent = "";
    if (option && option.value) {
      var chip = document.createElement("li");
      var label = document.createElement("label");
      label.textContent = option.textContent;
      chip.appendChild(label);
      makeChip(chip);
      chips.appendChild(chip);
    }
    var empty = picker.querySelector("[data-picker-empty]");
    if (empty) {
      empty.hidden = chips.children.length > 0;
    }
  }

  function enhancePickers() {
    document.querySelectorAll("[data-picker]:not(.picker--live)").forEach(function (picker) {
      picker.classList.add("picker--live");
      picker.querySelectorAll("[data-picker-search]").forEach(function (button) {
        button.remove();
      });
      if (picker.hasAttribute("data-picker-single")) {
        showSingleChip(picker);
      } else {
        picker.querySelectorAll("[data-picker-chips] > li").forEach(makeChip);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", enhancePickers);
  document.addEventListener("htmx:afterSettle", enhancePickers);

  function searchBox(picker) {
    return picker.querySelector("input[type=search]");
  }

  function pickerChanged(picker, message) {
    var chips = picker.querySelector("[data-picker-chips]");
    var empty = picker.querySelector("[data-picker-empty]");
    if (empty) {
      empty.hidden = chips.children.length > 0;
    }
    var status = picker.querySelector("[data-picker-status]");
    if (status) {
      status.textContent = message;
    }
    picker.dispatchEvent(new CustomEvent("picker-change", { bubbles: true }));
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches(".picker--live .picker-options input[type=checkbox]") || !box.checked) {
      return;
    }
    var picker = box.closest("[data-picker]");
    var option = box.closest("li");
    var next = option.nextElementSibling || option.previousElementSibling;
    var text = chipText(option);
    var chip = document.createElement("li");
    chip.appendChild(box);
    chip.appendChild(option.querySelector("label"));
    option.remove();
    makeChip(chip);
    picker.querySelector("[data-picker-chips]").appendChild(chip);
    var focus = next ? next.querySelector("input") : searchBox(picker);
    if (focus) {
      focus.focus();
    }
    pickerChanged(picker, text + " added");
  });

  function refreshMatches(picker) {
    // the object chosen or removed leaves or joins the matches
    if (window.htmx && searchBox(picker)) {
      window.htmx.trigger(searchBox(picker), "picker-search");
    }
  }

  // Choosing a match of a picker of one object replaces the chip (and the select's value).
  document.addEventListener("click", function (event) {
    var choice = event.target.closest ? event.target.closest("[data-picker-choose]") : null;
    if (!choice) {
      return;
    }
    var picker = choice.closest("[data-picker]");
    var select = singleSelect(picker);
    var text = choice.textContent.replace(/\s+/g, " ").trim();
    var option = Array.prototype.find.call(select.options, function (item) {
      return item.value === choice.value;
    });
    if (!option) {
      option = new Option(text, choice.value);
      select.appendChild(option);
    }
    select.value = choice.value;
    showSingleChip(picker);
    searchBox(picker).value = "";
    picker.classList.remove("picker--open");
    var remove = picker.querySelector("[data-picker-remove]");
    if (remove) {
      remove.focus();
    }
    pickerChanged(picker, text + " chosen");
    refreshMatches(picker);
  });

  // The matches of a picker of one object show while its search is in use, not all the time.
  function closePickers(except) {
    document.querySelectorAll(".picker--open").forEach(function (picker) {
      if (!except || !picker.contains(except)) {
        picker.classList.remove("picker--open");
      }
    });
  }

  document.addEventListener("focusin", function (event) {
    var target = event.target;
    closePickers(target);
    if (target.matches && target.matches(".picker--single input[type=search]")) {
      target.closest("[data-picker]").classList.add("picker--open");
    }
  });
  document.addEventListener("click", function (event) {
    closePickers(event.target);
  });
  document.addEventListener("keydown", function (event) {
    var picker = event.target.closest ? event.target.closest(".picker--open") : null;
    if (event.key === "Escape" && picker) {
      picker.classList.remove("picker--open");
      searchBox(picker).focus();
    }
  });

  document.addEventListener("click", function (event) {
    var remove = event.target.closest ? event.target.closest("[data-picker-remove]") : null;
    if (!remove) {
      return;
    }
    var picker = remove.closest("[data-picker]");
    var chip = remove.closest("li");
    var next = chip.nextElementSibling || chip.previousElementSibling;
    var text = chipText(chip);
    chip.remove();
    if (singleSelect(picker)) {
      singleSelect(picker).value = "";
    }
    var focus = next ? next.querySelector("[data-picker-remove]") : searchBox(picker);
    if (focus) {
      focus.focus();
    }
    pickerChanged(picker, text + " removed");
    refreshMatches(picker);
  });

  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches(".picker--live input[type=search]")) {
      return;
    }
    if (event.key === "Enter") {
      // Enter searches now instead of saving the form
      event.preventDefault();
      if (window.htmx) {
        window.htmx.trigger(box, "picker-search");
      }
    } else if (event.key === "ArrowDown") {
      var first = box.closest("[data-picker]").querySelector(".picker-options input, .picker-options button");
      if (first) {
        event.preventDefault();
        first.focus();
      }
    }
  });

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function () {});
    });
  }
})();
