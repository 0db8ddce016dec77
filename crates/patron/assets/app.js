// Patron console: small behaviours that plain HTML cannot do. No framework; htmx does the rest.
(function () {
  "use strict";

  // Charts: <div data-chart='{"type":"bar","labels":[…],"series":[{"name":…,"data":[…]}]}'>
  function drawCharts(root) {
    if (!window.echarts) return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) return;
      var spec;
      try { spec = JSON.parse(el.dataset.chart); } catch (e) { return; }
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption({
        animation: false,
        grid: { left: 40, right: 16, top: 24, bottom: 28 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: spec.labels },
        yAxis: { type: "value", minInterval: 1 },
        series: spec.series.map(function (s) {
          return { name: s.name, type: spec.type || "bar", data: s.data, itemStyle: { color: "#1f5aa6" } };
        }),
      });
      el.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  // Confirm before destructive buttons: <button data-confirm="…">
  document.addEventListener("submit", function (ev) {
    var btn = ev.submitter;
    if (btn && btn.dataset.confirm && !window.confirm(btn.dataset.confirm)) ev.preventDefault();
  }, true);

  // A choice that reloads the page (the store of a list): <select data-autosubmit>.
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el && el.matches && el.matches("[data-autosubmit]") && el.form) el.form.submit();
  });

  // The door check-in form is emptied and ready for the next card after each answer.
  document.addEventListener("htmx:afterRequest", function (ev) {
    var form = ev.target;
    if (form && form.id === "checkin-form") {
      form.reset();
      if (form.card_no) form.card_no.focus();
    }
  });

  // A live region fed by server-sent events (the rotation board): <div data-live-board="/url">;
  // each `board` event replaces its content. EventSource reconnects by itself.
  function liveBoards(root) {
    root.querySelectorAll("[data-live-board]").forEach(function (el) {
      if (el.dataset.live) return;
      el.dataset.live = "1";
      var source = new EventSource(el.dataset.liveBoard);
      source.addEventListener("board", function (ev) { if (ev.data) el.innerHTML = ev.data; });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { liveBoards(document); });

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (ev) { drawCharts(ev.target); });
})();
