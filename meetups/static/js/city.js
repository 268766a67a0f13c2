// Under a city field, say what the typed name resolves to ("Lyon, France · Europe/Paris"), or
// offer the closest known names, as people type. The form marked data-city-lookup holds the
// lookup's URL and the words to use; without JavaScript the server says the same on submit.
(function () {
  "use strict";
  var WAIT_MS = 300; // after the last key press: one lookup per pause, not per letter
  document.querySelectorAll("form[data-city-lookup]").forEach(function (form) {
    var input = form.querySelector("input[name=city]");
    if (!input || !window.fetch) return;
    var hint = document.createElement("p");
    hint.className = "help city-hint";
    hint.id = input.id + "-hint";
    hint.setAttribute("aria-live", "polite");
    (input.closest(".field") || input.parentNode).appendChild(hint);
    var described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", (described ? described + " " : "") + hint.id);
    var timer = null;
    var asked = 0; // answers to earlier questions are dropped

    function say(parts) {
      hint.replaceChildren.apply(hint, parts);
    }

    function choice(place) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = place.label;
      button.addEventListener("click", function () {
        input.value = place.label;
        input.focus();
        look();
      });
      return button;
    }

    function show(body) {
      if (body.match) {
        say([body.match.label + " · " + body.match.timezone]);
      } else if (body.suggestions.length) {
        var parts = [form.dataset.citySuggest + " "];
        body.suggestions.slice(0, 3).forEach(function (place, index) {
          if (index) parts.push(" · ");
          parts.push(choice(place));
        });
        say(parts);
      } else {
        say([form.dataset.cityUnknown]);
      }
    }

    function look() {
      clearTimeout(timer);
      var text = input.value.trim();
      var question = ++asked;
      if (!text) {
        say([]);
        return;
      }
      var url = form.dataset.cityLookup + "?q=" + encodeURIComponent(text.slice(0, 200));
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) { if (body && question === asked) show(body); })
        .catch(function () { /* offline: the server still checks the city on submit */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(look, WAIT_MS);
    });
    if (input.value.trim()) look(); // a form shown again with what was typed
  });
})();
