// A form marked data-submit-once goes once: its submit button is disabled as it is sent, so that
// a double click sends one request. The server holds to "one form, one gathering" anyway (the
// form's key): this only spares the second request. Without JavaScript nothing changes.
(function () {
  "use strict";
  var RETRY_AFTER_MS = 15000; // a slow answer: the person may press again, the server keeps it one
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    var buttons = form.querySelectorAll("button[type=submit]");
    var sending = false;
    function ready() {
      sending = false;
      buttons.forEach(function (button) { button.disabled = false; });
    }
    form.addEventListener("submit", function (event) {
      if (sending) {
        event.preventDefault(); // Enter pressed again in a field
        return;
      }
      sending = true;
      buttons.forEach(function (button) { button.disabled = true; });
      setTimeout(ready, RETRY_AFTER_MS);
    });
    // Back on this page from the history: the form is there to be used again.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) ready();
    });
  });
})();
