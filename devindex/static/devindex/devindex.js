// Development index pages: the province map coloured by the index or a dimension, and a county's radar.
// Data come from json_script elements written by Django (no inline scripts: CSP); ECharts is served locally.
(function () {
  "use strict";
  if (typeof echarts === "undefined") {
    return;
  }
  var read = function (id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  };
  var L = read("devindex-labels") || {};
  var instances = [];
  var narrow = function () {
    return window.innerWidth < 576;
  };
  var FONT = "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif";

  function drawMap(el, data) {
    var chart = echarts.init(el);
    instances.push(chart);
    chart.showLoading({ text: "" });
    var select = document.getElementById("id_metric");
    fetch(el.dataset.mapUrl, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) {
          throw new Error("map " + r.status);
        }
        return r.json();
      })
      .then(function (geo) {
        echarts.registerMap("fujian-index", geo);
        chart.hideLoading();
        var render = function () {
          var metric = select ? select.value || "total" : data.metric;
          var label = select ? select.options[select.selectedIndex].text : "";
          var values = data.rows.map(function (r) {
            var v = r.values[metric];
            return { name: r.name, value: v === null || v === undefined ? "-" : v, rank: r.rank };
          });
          var numbers = values
            .map(function (v) {
              return v.value;
            })
            .filter(function (v) {
              return typeof v === "number";
            });
          var min = numbers.length ? Math.floor(Math.min.apply(null, numbers)) : 0;
          var max = numbers.length ? Math.ceil(Math.max.apply(null, numbers)) : 100;
          chart.setOption(
            {
              textStyle: { fontFamily: FONT },
              tooltip: {
                trigger: "item",
                formatter: function (p) {
                  var v = typeof p.value === "number" && !isNaN(p.value) ? p.value.toFixed(2) : L.not_ranked;
                  var rank = p.data && p.data.rank ? "<br>" + L.rank + L.separator + p.data.rank : "";
                  return p.name + "<br>" + label + L.separator + v + rank;
                },
              },
              visualMap: {
                min: min,
                max: max,
                left: 8,
                bottom: 8,
                calculable: true,
                precision: 0,
                itemHeight: narrow() ? 80 : 120,
                inRange: { color: ["#eef5ff", "#6ea8fe", "#0a3d91"] },
                outOfRange: { color: "#dee2e6" },
              },
              series: [
                {
                  type: "map",
                  map: "fujian-index",
                  roam: false,
                  label: { show: !narrow(), fontSize: 9, color: "#222" },
                  emphasis: { label: { show: true }, itemStyle: { areaColor: "#ffc107" } },
                  itemStyle: { borderColor: "#fff", borderWidth: 0.6, areaColor: "#e9ecef" },
                  data: values,
                },
              ],
            },
            true,
          );
        };
        render();
        if (select) {
          select.addEventListener("change", render);
        }
        chart.on("click", function (p) {
          var row = data.rows.find(function (r) {
            return r.name === p.name;
          });
          if (row && row.url) {
            window.location.href = row.url;
          }
        });
        el.dataset.ready = "1";
      })
      .catch(function () {
        chart.hideLoading();
        el.classList.add("devindex-chart-empty");
        el.textContent = L.map_failed;
      });
  }

  function drawRadar(el, data) {
    var colors = { county: "#0d6efd", median: "#6c757d", top10: "#fd7e14" };
    var styles = {
      county: { areaStyle: { color: "rgba(13,110,253,0.22)" }, lineStyle: { width: 2.5, color: colors.county } },
      median: { lineStyle: { type: "dashed", color: colors.median } },
      top10: { lineStyle: { type: "dotted", width: 2, color: colors.top10 } },
    };
    var series = data.series
      .filter(function (s) {
        return s.values.some(function (v) {
          return v !== null;
        });
      })
      .map(function (s) {
        return Object.assign(
          {
            name: s.name || L[s.key],
            value: s.values.map(function (v) {
              return v === null ? 0 : v;
            }),
            symbolSize: 5,
            itemStyle: { color: colors[s.key] },
          },
          styles[s.key] || {},
        );
      });
    if (!series.length) {
      el.classList.add("devindex-chart-empty");
      el.textContent = L.no_data;
      return;
    }
    var chart = echarts.init(el);
    instances.push(chart);
    chart.setOption({
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "item" },
      legend: { bottom: 0, data: series.map(function (s) { return s.name; }) },
      radar: {
        indicator: data.indicators,
        radius: narrow() ? "58%" : "66%",
        center: ["50%", "47%"],
        splitNumber: 4,
        axisName: { color: "#333", fontSize: narrow() ? 11 : 13 },
      },
      series: [{ type: "radar", data: series }],
    });
    el.dataset.ready = "1";
  }

  var mapEl = document.getElementById("devindex-map-chart");
  var mapData = read("devindex-map");
  if (mapEl && mapData) {
    drawMap(mapEl, mapData);
  }
  var radarEl = document.getElementById("devindex-radar-chart");
  var radarData = read("devindex-radar");
  if (radarEl && radarData) {
    drawRadar(radarEl, radarData);
  }
  window.addEventListener("resize", function () {
    instances.forEach(function (c) {
      c.resize();
    });
  });
})();
