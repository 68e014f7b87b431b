// kintrace: a little progressive enhancement. Every page works without this script.
"use strict";
(function () {
  // The filing form shows one step at a time, with Back/Next; without script all steps show at once.
  document.querySelectorAll("form[data-steps]").forEach(function (form) {
    var steps = Array.prototype.slice.call(form.querySelectorAll(".step"));
    if (steps.length < 2) return;
    var labels = document.documentElement.lang === "uk" ? ["Назад", "Далі"]
      : document.documentElement.lang === "ru" ? ["Назад", "Далее"] : ["Back", "Next"];
    var current = 0;
    var errorStep = steps.findIndex(function (s) { return s.querySelector(".field-error"); });
    if (errorStep >= 0) current = errorStep;
    form.setAttribute("data-enhanced", "");
    function show(index, focus) {
      steps.forEach(function (step, i) { step.hidden = i !== index; });
      current = index;
      if (focus) {
        var first = steps[index].querySelector("input, select, textarea");
        if (first) first.focus();
      }
    }
    steps.forEach(function (step, i) {
      var nav = document.createElement("div");
      nav.className = "step-nav";
      if (i > 0) {
        var back = document.createElement("button");
        back.type = "button"; back.textContent = labels[0];
        back.addEventListener("click", function () { show(i - 1, true); });
        nav.appendChild(back);
      }
      if (i < steps.length - 1) {
        var next = document.createElement("button");
        next.type = "button"; next.className = "primary"; next.textContent = labels[1];
        next.setAttribute("data-next", "");
        next.addEventListener("click", function () {
          var fields = step.querySelectorAll("input, select, textarea");
          for (var k = 0; k < fields.length; k++) {
            if (!fields[k].checkValidity()) { fields[k].reportValidity(); return; }
          }
          show(i + 1, true);
        });
        nav.appendChild(next);
      }
      step.appendChild(nav);
    });
    show(current, false);
  });
})();
