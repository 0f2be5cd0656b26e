// The volunteer's check-in page: fill the phone's position into the form when it gives one (the service
// refuses a position too far from the venue; none at all is allowed and noted).
(function () {
  "use strict";
  var form = document.querySelector("form[data-checkin]");
  if (!form) return;
  var note = form.querySelector("[data-position]");
  function say(text) { if (note) note.textContent = text; }
  var none = note ? note.dataset.none : "";
  if (!("geolocation" in navigator)) { say(none); return; }
  navigator.geolocation.getCurrentPosition(function (position) {
    form.querySelector("[name=lng]").value = position.coords.longitude.toFixed(6);
    form.querySelector("[name=lat]").value = position.coords.latitude.toFixed(6);
    say(note ? note.dataset.ok : "");
  }, function () {
    say(none);
  }, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
})();
