// The console's only script (no inline script: the pages' CSP forbids it).
// Draws the finding's map: the dong polygon from our reference data and the spot; tiles only
// when the office configured a tile server (CONSOLE_TILE_URL).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var error = document.getElementById("action-error");
  if (error) { error.focus(); }
  var box = document.getElementById("map");
  if (!box || typeof L === "undefined") { return; }
  var lat = parseFloat(box.dataset.lat), lon = parseFloat(box.dataset.lon);
  var map = L.map(box, { attributionControl: false, keyboard: false, scrollWheelZoom: false });
  map.setView([lat, lon], 16);  // a view first: vector layers need one to be drawn
  if (box.dataset.tiles) { L.tileLayer(box.dataset.tiles, { maxZoom: 19 }).addTo(map); }
  var geometry = JSON.parse(box.dataset.geometry || "null");
  var bounds = null;
  if (geometry) {
    var dong = L.geoJSON(geometry, { style: { color: "#0b50d0", weight: 2, fillOpacity: 0.08 } });
    dong.addTo(map);
    bounds = dong.getBounds();
  }
  var spot = L.circleMarker([lat, lon], { radius: 8, color: "#bd2c0f", fillOpacity: 0.9 });
  spot.addTo(map);
  if (bounds && bounds.isValid()) {
    bounds.extend(L.latLng(lat, lon));
    map.fitBounds(bounds, { padding: [12, 12] });
  }
});
