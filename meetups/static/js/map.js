// Turns each [data-map] element into a Leaflet map of the JSON places beside it.
// The page works without this: the places are also listed as links to openstreetmap.org.
(function () {
  "use strict";
  if (!window.L) return;

  // A pin drawn in CSS, in a 44 px box so that a finger can hit it (the default image is 25 px).
  function pinIcon(cancelled) {
    return L.divIcon({
      className: "map-pin" + (cancelled ? " map-pin-cancelled" : ""),
      html: '<span class="map-pin-shape"></span>',
      iconSize: [44, 44],
      iconAnchor: [22, 44],
      popupAnchor: [0, -40],
    });
  }
  function name(marker, label) {
    var element = marker.getElement();
    if (element) element.setAttribute("aria-label", label);
    return marker;
  }
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
    // One pin per venue, whose popup lists every gathering held there.
    var venues = {};
    places.forEach(function (place) {
      var key = place.latitude + "," + place.longitude;
      (venues[key] = venues[key] || []).push(place);
    });
    var markers = Object.keys(venues).map(function (key) {
      var here = venues[key];
      var allCancelled = here.every(function (place) { return place.cancelled; });
      var marker = L.marker([here[0].latitude, here[0].longitude], { icon: pinIcon(allCancelled) });
      var list = document.createElement("ul");
      list.className = "map-popup";
      here.forEach(function (place) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = place.url;
        link.textContent = place.title;
        item.appendChild(link);
        list.appendChild(item);
      });
      return name(marker.bindPopup(list).addTo(map), here[0].venue);
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
    var pin = L.marker(start, { icon: pinIcon(false), draggable: true, keyboard: true }).addTo(map);
    name(pin, map.getContainer().dataset.pinLabel || "");
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
