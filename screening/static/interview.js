// Interview page improvements; the page works without them.
// - questions appear and disappear as answers change (the server decides again
//   on every save, and ignores answers to questions it does not show);
// - "don't know" and "prefer not to say" exclude the other answers;
// - answers are saved in the background while the interviewer types.
(function () {
  "use strict";
  var form = document.getElementById("section-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  form.elements._js.value = "1";

  var outside = JSON.parse(form.dataset.outside || "{}");
  var questions = Array.prototype.slice.call(form.querySelectorAll(".question"));
  var SPECIAL = ["dont_know", "declined"];

  function id(box) { return box.id.slice("question-".length); }

  function inputs(box) {
    return Array.prototype.slice.call(box.querySelectorAll("input, select, textarea"));
  }

  function number(text) {
    var cleaned = String(text).replace(/[,\s]/g, "");
    if (cleaned === "" || isNaN(cleaned)) { return null; }
    return Number(cleaned);
  }

  // The answer a fieldset holds now, in the form the server stores.
  function answerOf(box) {
    var type = box.dataset.type;
    var checked = inputs(box).filter(function (el) { return el.checked; })
      .map(function (el) { return el.value; });
    var special = checked.filter(function (v) { return SPECIAL.indexOf(v) >= 0; });
    if (special.length) { return special[0]; }
    if (type === "yes_no" || type === "single_choice") { return checked[0] || null; }
    if (type === "multiple_choice") { return checked.length ? checked : null; }
    var field = box.querySelector('[name="q_' + id(box) + '"]');
    var text = field ? field.value.trim() : "";
    if (!text) { return null; }
    if (type === "number") { return number(text); }
    if (type === "money") { return { amount: number(text) }; }
    return text;
  }

  function amount(answer) {
    if (answer && typeof answer === "object" && !Array.isArray(answer)) { answer = answer.amount; }
    return typeof answer === "number" ? answer : null;
  }

  function holds(cond, answers) {
    if (cond.all) { return cond.all.every(function (c) { return holds(c, answers); }); }
    if (cond.any) { return cond.any.some(function (c) { return holds(c, answers); }); }
    if (cond.not) { return !holds(cond.not[0], answers); }
    var answer = answers[cond.q];
    var value = amount(answer);
    switch (cond.op) {
      case "answered":
        return (answer !== undefined && answer !== null && SPECIAL.indexOf(answer) < 0) === cond.v;
      case "equals": return answer === cond.v;
      case "in": return cond.v.indexOf(answer) >= 0;
      case "includes": return Array.isArray(answer) && answer.indexOf(cond.v) >= 0;
      case "at_least": return value !== null && value >= cond.v;
      case "below": return value !== null && value < cond.v;
    }
    return true;
  }

  // Same order as the server: an answer counts only if its question is shown.
  function refresh() {
    var counted = Object.assign({}, outside);
    questions.forEach(function (box) {
      var rule = box.dataset.showIf;
      var shown = !rule || holds(JSON.parse(rule), counted);
      box.hidden = !shown;
      if (shown) {
        var answer = answerOf(box);
        if (answer !== null) { counted[id(box)] = answer; }
      }
    });
  }

  function exclusive(el) {
    return SPECIAL.indexOf(el.value) >= 0 || el.hasAttribute("data-exclusive");
  }

  // A special or "none of these" answer clears the other choices, and back.
  function alone(event) {
    var el = event.target;
    var box = el.closest(".question");
    if (!box || !el.checked || el.type !== "checkbox") { return; }
    var single = exclusive(el);
    inputs(box).forEach(function (other) {
      if (other === el || other.type !== "checkbox") { return; }
      if (single || exclusive(other)) { other.checked = false; }
    });
    if (SPECIAL.indexOf(el.value) >= 0) {
      inputs(box).forEach(function (other) {
        if (other.type === "text" || other.tagName === "TEXTAREA") { other.value = ""; }
      });
    }
  }

  function typedValue(event) {
    var el = event.target;
    var box = el.closest(".question");
    if (!box || !(el.type === "text" || el.tagName === "TEXTAREA" || el.type === "date")) { return; }
    if (el.value.trim()) {
      inputs(box).forEach(function (other) {
        if (other.type === "checkbox" && SPECIAL.indexOf(other.value) >= 0) { other.checked = false; }
      });
    }
  }

  // Autosave: debounced, one request at a time, the latest state wins.
  var status = form.querySelector(".autosave-status");
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var timer = null, busy = false, again = false;

  function say(text) { if (status) { status.textContent = text; } }

  function save() {
    if (busy) { again = true; return; }
    busy = true;
    say(form.dataset.saving);
    fetch(form.dataset.autosave, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-CSRFToken": token, "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      say(form.dataset.saved.replace("{time}", data.saved_at));
      form.dataset.dirty = "";
    }).catch(function () {
      say(form.dataset.failed);
    }).then(function () {
      busy = false;
      if (again) { again = false; save(); }
    });
  }

  function later(delay) {
    form.dataset.dirty = "1";
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  form.addEventListener("change", function (event) {
    alone(event);
    refresh();
    later(400);
  });
  form.addEventListener("input", function (event) {
    typedValue(event);
    refresh();
    later(1200);
  });
  form.addEventListener("submit", function () { clearTimeout(timer); form.dataset.dirty = ""; });
  window.addEventListener("beforeunload", function (event) {
    if (form.dataset.dirty) { save(); event.preventDefault(); }
  });
  refresh();
})();
