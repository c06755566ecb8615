// Dashboards and chain map: draws every [data-chart] element with ECharts from the page's
// `dashboard-charts` JSON (written by Django's json_script). No inline scripts (CSP).
(function () {
  "use strict";
  var dataNode = document.getElementById("dashboard-charts");
  if (!dataNode || typeof echarts === "undefined") {
    return;
  }
  var charts = JSON.parse(dataNode.textContent);
  // Words drawn by this script, translated by the view (Django's json_script `dashboard-labels`).
  var labelsNode = document.getElementById("dashboard-labels");
  var L = labelsNode ? JSON.parse(labelsNode.textContent) : {};
  var config = document.getElementById("dashboard-config") || document.createElement("div");
  var instances = [];
  var COLORS = ["#0d6efd", "#198754", "#6c757d", "#fd7e14", "#6f42c1", "#20c997", "#dc3545", "#0dcaf0"];
  var narrow = function () {
    return window.innerWidth < 576;
  };

  function label(spec, key) {
    return (spec.columns && spec.columns[key]) || key;
  }

  function shortName(text, max) {
    text = String(text);
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  function base() {
    return {
      color: COLORS,
      animationDuration: 400,
      textStyle: { fontFamily: "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif" },
    };
  }

  function bar(spec, horizontal) {
    var categories = spec.rows.map(function (r) {
      return r[spec.category];
    });
    var series = spec.series.map(function (key) {
      return {
        name: label(spec, key),
        type: "bar",
        data: spec.rows.map(function (r) {
          return r[key] || 0;
        }),
        emphasis: { focus: "series" },
      };
    });
    var categoryAxis = {
      type: "category",
      data: categories,
      axisLabel: {
        interval: 0,
        rotate: horizontal ? 0 : categories.length > 6 || narrow() ? 40 : 0,
        formatter: function (v) {
          return shortName(v, horizontal ? 10 : 8);
        },
      },
    };
    var valueAxis = { type: "value", minInterval: 1 };
    var yAxes = horizontal ? categoryAxis : valueAxis;
    if (spec.secondary && !horizontal) {
      series.push({
        name: spec.secondary_label,
        type: "line",
        yAxisIndex: 1,
        symbolSize: 8,
        data: spec.rows.map(function (r) {
          return Math.round((r[spec.secondary] || 0) / 1000) / 10;
        }),
      });
      yAxes = [valueAxis, { type: "value", name: L.wan, splitLine: { show: false } }];
    }
    var option = Object.assign(base(), {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? Object.assign(categoryAxis, { inverse: true }) : yAxes,
      series: series,
    });
    return option;
  }

  function pie(spec, rows) {
    return Object.assign(base(), {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { type: "scroll", bottom: 0 },
      series: [
        {
          type: "pie",
          radius: narrow() ? ["30%", "58%"] : ["35%", "65%"],
          center: ["50%", "45%"],
          avoidLabelOverlap: true,
          label: { show: !narrow(), formatter: "{b}\n{c}" },
          data: rows,
        },
      ],
    });
  }

  function funnel(spec) {
    return Object.assign(base(), {
      tooltip: { trigger: "item", formatter: "{b}: {c}" },
      series: [
        {
          type: "funnel",
          sort: "none",
          left: "10%",
          width: "80%",
          minSize: "20%",
          label: { position: "inside", formatter: "{b}\n{c}", color: "#fff" },
          data: spec.rows.map(function (r) {
            return { name: r[spec.category], value: r[spec.value] };
          }),
        },
      ],
    });
  }

  function split(spec) {
    return pie(spec, [
      { name: L.with_open, value: spec["with"], itemStyle: { color: "#198754" } },
      { name: L.without_open, value: spec.without, itemStyle: { color: "#adb5bd" } },
    ]);
  }

  function heatmap(spec) {
    var data = [];
    var max = 1;
    spec.rows.forEach(function (row, y) {
      spec.xkeys.forEach(function (key, x) {
        var v = row[key] || 0;
        max = Math.max(max, v);
        data.push([x, y, v || "-"]);
      });
    });
    var highlight = config.dataset.highlight || spec.highlight || "";
    return Object.assign(base(), {
      tooltip: {
        position: "top",
        formatter: function (p) {
          return spec.y[p.value[1]] + " · " + spec.x[p.value[0]] + L.separator + p.value[2];
        },
      },
      grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
      xAxis: {
        type: "category",
        data: spec.x,
        splitArea: { show: true },
        axisLabel: {
          interval: 0,
          rotate: 45,
          formatter: function (v) {
            return v === highlight ? "{hl|" + v + "}" : v;
          },
          rich: { hl: { color: "#dc3545", fontWeight: "bold" } },
        },
      },
      yAxis: {
        type: "category",
        data: spec.y,
        inverse: true,
        splitArea: { show: true },
        axisLabel: {
          formatter: function (v) {
            return shortName(v, 8);
          },
        },
      },
      visualMap: {
        min: 0,
        max: max,
        calculable: true,
        orient: "horizontal",
        left: "center",
        bottom: 0,
        itemHeight: 80,
        inRange: { color: ["#e7f1ff", "#0d6efd"] },
      },
      series: [{ type: "heatmap", data: data, label: { show: true }, emphasis: { itemStyle: { borderColor: "#333", borderWidth: 1 } } }],
    });
  }

  function sankey(spec) {
    if (!spec.rows.length) {
      return null;
    }
    var demand = L.demand_suffix;
    var supply = L.supply_suffix;
    var names = {};
    var links = spec.rows.map(function (r) {
      names[r[spec.source] + demand] = true;
      names[r[spec.target] + supply] = true;
      return { source: r[spec.source] + demand, target: r[spec.target] + supply, value: r[spec.value] };
    });
    return Object.assign(base(), {
      tooltip: { trigger: "item", triggerOn: "mousemove" },
      series: [
        {
          type: "sankey",
          left: 8,
          right: narrow() ? 70 : 110,
          top: 8,
          bottom: 8,
          nodeWidth: 14,
          nodeGap: 10,
          emphasis: { focus: "adjacency" },
          lineStyle: { color: "gradient", curveness: 0.5, opacity: 0.45 },
          label: { fontSize: narrow() ? 10 : 12 },
          data: Object.keys(names).map(function (n) {
            return { name: n };
          }),
          links: links,
        },
      ],
    });
  }

  var mapPromise = null;
  function loadMap() {
    if (!mapPromise) {
      mapPromise = fetch(config.dataset.mapUrl, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) {
          throw new Error("map " + r.status);
        }
        return r.json();
      });
    }
    return mapPromise;
  }

  // County names without their 县/市/区 suffix (晋江市 → 晋江) while the map is small.
  function shortName(p) {
    var name = p.name || "";
    return name.length > 2 ? name.replace(/[县市区]$/, "") : name;
  }

  // The whole province has 83 counties, packed around Fuzhou, Xiamen and Quanzhou: its labels stay hidden
  // (tooltips name each county) until the user zooms in; then only labels that do not overlap are drawn.
  var LABEL_ZOOM = 2;

  function mapOption(spec, metric, mapName, wholeProvince, zoom) {
    var values = spec.rows.map(function (r) {
      return { name: r[spec.category], value: r[metric] === null ? "-" : r[metric], total: r.total };
    });
    var numbers = values
      .map(function (v) {
        return v.value;
      })
      .filter(function (v) {
        return typeof v === "number";
      });
    var max = metric === "resolved_share" ? 100 : Math.max(1, Math.max.apply(null, numbers.concat([0])));
    return Object.assign(base(), {
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var v = p.value;
          if (v === undefined || isNaN(v)) {
            v = "—";
          } else if (metric === "resolved_share") {
            v = v + "%";
          }
          return p.name + "<br>" + label(spec, metric) + L.separator + v;
        },
      },
      visualMap: {
        min: 0,
        max: max,
        left: 8,
        bottom: 8,
        calculable: true,
        itemHeight: narrow() ? 70 : 110,
        text: [metric === "resolved_share" ? "100%" : String(max), "0"],
        inRange: { color: metric === "resolved_share" ? ["#fff3cd", "#198754"] : ["#e7f1ff", "#dc3545"] },
      },
      series: [
        {
          type: "map",
          map: mapName,
          roam: wholeProvince,
          zoom: zoom || 1,
          scaleLimit: { min: 1, max: 8 },
          label: {
            show: !narrow() && (!wholeProvince || (zoom || 1) >= LABEL_ZOOM),
            fontSize: 9,
            color: "#333",
            formatter: (zoom || 1) >= LABEL_ZOOM * 1.5 ? "{b}" : shortName,
          },
          labelLayout: { hideOverlap: true },
          emphasis: { label: { show: true, formatter: "{b}" } },
          itemStyle: { borderColor: "#fff", borderWidth: 0.5 },
          data: values,
        },
      ],
    });
  }

  function drawMap(el, spec) {
    var chart = echarts.init(el);
    instances.push(chart);
    chart.showLoading({ text: "" });
    var select = document.querySelector('[data-map-metric="' + spec.key + '"]');
    var prefecture = config.dataset.mapPrefecture || "";
    loadMap()
      .then(function (geo) {
        var mapName = "fujian";
        if (prefecture) {
          mapName = "fujian-" + prefecture;
          geo = Object.assign({}, geo, {
            features: geo.features.filter(function (f) {
              return f.properties.prefecture === prefecture;
            }),
          });
          spec = Object.assign({}, spec, {
            rows: spec.rows.filter(function (r) {
              return r.prefecture === prefecture;
            }),
          });
        }
        echarts.registerMap(mapName, geo);
        chart.hideLoading();
        var wholeProvince = !prefecture;
        var zoom = 1;
        var render = function () {
          chart.setOption(mapOption(spec, select ? select.value : "open", mapName, wholeProvince, zoom), true);
        };
        render();
        chart.on("georoam", function () {
          var now = chart.getOption().series[0].zoom || 1;
          var before = zoom;
          zoom = now;
          if ((before >= LABEL_ZOOM) !== (now >= LABEL_ZOOM) || (before >= LABEL_ZOOM * 1.5) !== (now >= LABEL_ZOOM * 1.5)) {
            var center = chart.getOption().series[0].center;
            chart.setOption(mapOption(spec, select ? select.value : "open", mapName, wholeProvince, zoom), true);
            if (center) {
              chart.setOption({ series: [{ center: center }] });
            }
          }
        });
        if (select) {
          select.addEventListener("change", render);
        }
        chart.on("click", function (p) {
          var row = spec.rows.find(function (r) {
            return r[spec.category] === p.name;
          });
          if (row && row.url) {
            window.location.href = row.url;
          }
        });
      })
      .catch(function () {
        chart.hideLoading();
        el.classList.add("dash-chart-empty");
        el.textContent = L.map_failed;
      });
  }

  function optionFor(spec) {
    switch (spec.type) {
      case "bar":
        return bar(spec, false);
      case "hbar":
        return bar(spec, true);
      case "pie":
        return pie(
          spec,
          spec.rows
            .filter(function (r) {
              return r[spec.value] > 0;
            })
            .map(function (r) {
              return { name: r[spec.category], value: r[spec.value] };
            }),
        );
      case "funnel":
        return funnel(spec);
      case "split":
        return split(spec);
      case "heatmap":
        return heatmap(spec);
      case "sankey":
        return sankey(spec);
      default:
        return null;
    }
  }

  function isEmpty(spec) {
    if (!spec.rows || !spec.rows.length) {
      return true;
    }
    if (spec.type === "split") {
      return !(spec["with"] + spec.without);
    }
    if (spec.type === "heatmap" || spec.type === "map") {
      return false;
    }
    var keys = spec.series || [spec.value];
    return !spec.rows.some(function (r) {
      return keys.some(function (k) {
        return r[k] > 0;
      });
    });
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var spec = charts[el.dataset.chart];
    if (!spec) {
      return;
    }
    if (spec.type === "map") {
      drawMap(el, spec);
      return;
    }
    var option = isEmpty(spec) ? null : optionFor(spec);
    if (!option) {
      el.classList.add("dash-chart-empty");
      el.textContent = L.no_data;
      return;
    }
    var chart = echarts.init(el);
    chart.setOption(option);
    instances.push(chart);
    chart.on("click", function (p) {
      var row = spec.rows[p.dataIndex];
      if (spec.type !== "heatmap" && spec.type !== "sankey" && row && row.url) {
        window.location.href = row.url;
      }
    });
  });

  var resize = function () {
    instances.forEach(function (c) {
      c.resize();
    });
  };
  window.addEventListener("resize", resize);
  document.querySelectorAll('[data-bs-toggle="tab"]').forEach(function (btn) {
    btn.addEventListener("shown.bs.tab", resize);
  });
  document.documentElement.dataset.chartsReady = "1";
})();
