// A rectification's evidence form (templates/inspections/tasks/detail.html): the position of the phone fills the
// hidden lng/lat when the page opens and again when photos are chosen; the server refuses a photo without one.
(function () {
  "use strict";
  var form = document.querySelector("[data-evidence-form]");
  if (!form) return;
  var note = form.querySelector("[data-position]");
  function say(text) { if (note) note.textContent = text; }
  function locate() {
    if (!("geolocation" in navigator)) { say(note ? note.dataset.none : ""); return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      form.querySelector("[name=lng]").value = position.coords.longitude.toFixed(6);
      form.querySelector("[name=lat]").value = position.coords.latitude.toFixed(6);
      say(note ? note.dataset.ok : "");
    }, function () {
      say(note ? note.dataset.none : "");
    }, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
  }
  var photos = form.querySelector("[name=photos]");
  if (photos) photos.addEventListener("change", locate);
  locate();
})();
