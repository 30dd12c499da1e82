// The login form's 单位 list shows only the units of the chosen 区域. Without this script every
// tier's units are listed and the server checks that the unit belongs to the tier.
(function () {
  "use strict";
  var tier = document.getElementById("tier");
  var unit = document.getElementById("unit");
  if (!tier || !unit) { return; }
  function showUnitsOfChosenTier() {
    var groups = unit.querySelectorAll("optgroup");
    for (var i = 0; i < groups.length; i++) {
      var ofTier = groups[i].getAttribute("data-tier") === tier.value;
      groups[i].hidden = !ofTier;
      groups[i].disabled = !ofTier;
    }
    var chosen = unit.options[unit.selectedIndex];
    if (chosen && chosen.parentNode.tagName === "OPTGROUP" && chosen.parentNode.disabled) { unit.value = ""; }
  }
  tier.addEventListener("change", showUnitsOfChosenTier);
  showUnitsOfChosenTier();
})();
