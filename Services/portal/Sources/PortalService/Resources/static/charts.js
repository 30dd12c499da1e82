// Draws every <canvas class="chart" data-chart="{type, labels, series}"> with Chart.js (Debian's
// libjs-chart.js). The pages carry their data in attributes: the Content-Security-Policy allows no
// inline script.
(function () {
  "use strict";
  var palette = ["#0b3d6e", "#198754", "#ffc107", "#dc3545", "#6f42c1", "#20c997", "#fd7e14", "#0dcaf0", "#6c757d", "#d63384"];
  document.querySelectorAll("canvas.chart").forEach(function (canvas) {
    var spec;
    try {
      spec = JSON.parse(canvas.dataset.chart);
    } catch (error) {
      return;
    }
    var round = spec.type === "doughnut";
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (series, index) {
          return {
            label: series.label,
            data: series.data,
            backgroundColor: round ? palette : palette[index % palette.length]
          };
        })
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { position: round ? "right" : "top" } },
        scales: round ? {} : { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  });
})();
