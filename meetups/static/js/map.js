// Turns each [data-map] element into a Leaflet map of the JSON places beside it.
// The page works without this: the places are also listed as links to openstreetmap.org.
(function () {
  "use strict";
  if (!window.L) return;
  document.querySelectorAll("[data-map]").forEach(function (element) {
    var data = element.parentElement.querySelector(".map-data");
    var places = data ? JSON.parse(data.textContent) : [];
    var center = element.dataset.center.split(",").map(Number);
    element.classList.add("map-ready"); // shown before Leaflet measures it
    var map = L.map(element, { scrollWheelZoom: false }).setView(center, Number(element.dataset.zoom));
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19,
      attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
    }).addTo(map);
    var markers = places.map(function (place) {
      var marker = L.marker([place.latitude, place.longitude], { title: place.venue });
      var link = document.createElement("a");
      link.href = place.url;
      link.textContent = place.title;
      return marker.bindPopup(link).addTo(map);
    });
    if (element.hasAttribute("data-editable")) makeEditable(map, L.latLng(center));
    if (markers.length > 1) map.fitBounds(L.featureGroup(markers).getBounds().pad(0.2));
    else if (markers.length === 1) map.setView(markers[0].getLatLng(), 16);
    element.removeAttribute("role");
  });

  // The location form: a pin to drag (or a click on the map) fills the latitude and longitude.
  function makeEditable(map, start) {
    var latitude = document.getElementById("latitude");
    var longitude = document.getElementById("longitude");
    var pin = L.marker(start, { draggable: true, keyboard: true }).addTo(map);
    function fill(latlng) {
      latitude.value = latlng.lat.toFixed(6);
      longitude.value = latlng.lng.toFixed(6);
    }
    pin.on("dragend", function () { fill(pin.getLatLng()); });
    map.on("click", function (event) { pin.setLatLng(event.latlng); fill(event.latlng); });
    [latitude, longitude].forEach(function (input) {
      input.addEventListener("change", function () {
        var point = L.latLng(Number(latitude.value), Number(longitude.value));
        if (isFinite(point.lat) && isFinite(point.lng)) { pin.setLatLng(point); map.panTo(point); }
      });
    });
  }
})();
