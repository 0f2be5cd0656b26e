// The dashboards (数据看板): ECharts over the figures the page carries (json_script #dashboard-data). Every chart
// has its table beside it (open without JavaScript, folded once the chart is drawn), and a click on a point, a bar
// or a grid opens what lies behind it. No inline scripts (CSP); no tile server: the grids are their own polygons.
(function () {
  "use strict";

  const MAP_MARGIN = 8;
  const COLOURS = { registered: "#1565c0", closed: "#2e7d32", rates: ["#b71c1c", "#ef6c00", "#1565c0"] };

  function go(url) {
    if (url) window.location.assign(url);
  }

  function base() {
    return {
      aria: { enabled: true },
      animation: false,
      grid: { left: 8, right: 12, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", confine: true },
      legend: { top: 0, itemWidth: 14, itemHeight: 10 },
    };
  }

  function trend(chart, data, text) {
    chart.setOption(Object.assign(base(), {
      xAxis: { type: "category", data: data.labels, boundaryGap: false, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1 },
      series: ["registered", "closed"].map((key) => ({
        name: text[key], type: "line", data: data[key], symbolSize: 6, color: COLOURS[key],
        emphasis: { focus: "series" },
      })),
    }));
    chart.on("click", (event) => {
      const key = event.seriesIndex === 0 ? "registered" : "closed";
      if (event.value) go(data.links[key][event.dataIndex]);
    });
  }

  // Places down the side, one row each: names stay readable on a phone, however many places there are.
  function rowsHeight(el, count, perRow) {
    el.style.height = Math.max(parseInt(el.style.height, 10) || 200, 56 + count * perRow) + "px";
  }

  function rates(chart, data) {
    chart.setOption(Object.assign(base(), {
      tooltip: {
        trigger: "axis", confine: true, axisPointer: { type: "shadow" },
        valueFormatter: (value) => (value === null || value === undefined ? "—" : value + "%"),
      },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { interval: 0, width: 96, overflow: "truncate" } },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: data.series.map((series, i) => ({
        name: series.name, type: "bar", data: series.data, color: COLOURS.rates[i % COLOURS.rates.length],
        barMaxWidth: 10, barGap: "15%",
      })),
    }));
    chart.on("click", (event) => go(data.links[event.dataIndex]));
  }

  function coverage(chart, data, text) {
    chart.setOption(Object.assign(base(), {
      tooltip: { trigger: "axis", confine: true, axisPointer: { type: "shadow" } },
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { interval: 0, width: 96, overflow: "truncate" } },
      xAxis: { type: "value", minInterval: 1 },
      series: [
        { name: text.patrolled, type: "bar", stack: "grids", data: data.patrolled, color: "#2e7d32", barMaxWidth: 18 },
        { name: text.missing, type: "bar", stack: "grids", data: data.missing, color: "#cfd8dc", barMaxWidth: 18 },
      ],
    }));
    chart.on("click", (event) => go(data.links[event.dataIndex]));
  }

  // As tall as the grids' extent needs at this width (ECharts draws a degree of longitude 0.75 as wide as one of
  // latitude), within bounds: no empty bands above and below the map on a phone.
  function fitHeight(chart, geojson) {
    let west = Infinity, east = -Infinity, south = Infinity, north = -Infinity;
    const visit = (coords) => {
      if (typeof coords[0] === "number") {
        west = Math.min(west, coords[0]); east = Math.max(east, coords[0]);
        south = Math.min(south, coords[1]); north = Math.max(north, coords[1]);
      } else coords.forEach(visit);
    };
    geojson.features.forEach((feature) => visit(feature.geometry.coordinates));
    const el = chart.getDom();
    if (!(east > west && north > south)) return;
    const height = ((el.clientWidth - 2 * MAP_MARGIN) * (north - south)) / ((east - west) * 0.75) + 2 * MAP_MARGIN;
    el.style.height = Math.round(Math.min(560, Math.max(240, height))) + "px";
    chart.resize();
  }

  function map(chart, data, text) {
    if (!data.geojson.features.length) {
      chart.dispose();
      return false;
    }
    fitHeight(chart, data.geojson);
    echarts.registerMap(data.name, data.geojson);
    const grids = {};
    data.grids.forEach((grid) => { grids[grid.code] = grid; });
    const few = data.grids.length <= 12;
    chart.setOption({
      aria: { enabled: true },
      animation: false,
      tooltip: {
        trigger: "item", confine: true,
        formatter: (params) => {
          const grid = grids[params.name];
          if (!grid) return "";
          let status = text.noData;
          if (grid.state === "ranked") status = text.score + " " + grid.score.toFixed(2) + (grid.band ? " · " + grid.band : "");
          else if (grid.state === "small") status = text.small + (grid.score !== null ? " · " + grid.score.toFixed(2) : "");
          return echarts.format.encodeHTML(grid.label) + "<br>" + echarts.format.encodeHTML(status);
        },
      },
      series: [{
        type: "map", map: data.name, roam: true, selectedMode: false,
        // a box, not layoutCenter/layoutSize: with those, ECharts 6.1 failed now and then when the window resized
        left: MAP_MARGIN, right: MAP_MARGIN, top: MAP_MARGIN, bottom: MAP_MARGIN,
        label: {
          show: few, fontSize: 12, color: "#212529", textBorderColor: "#fff", textBorderWidth: 3,
          formatter: (params) => (grids[params.name] ? grids[params.name].label : ""),
        },
        itemStyle: { areaColor: "#e0e0e0", borderColor: "#fff", borderWidth: 1 },
        emphasis: { label: { show: true }, itemStyle: { areaColor: null, borderColor: "#212529", borderWidth: 2 } },
        data: data.grids.map((grid) => ({
          name: grid.code, value: grid.score, itemStyle: { areaColor: grid.colour },
          emphasis: { itemStyle: { areaColor: grid.colour } },
        })),
      }],
    });
    chart.on("click", (event) => go(grids[event.name] && grids[event.name].url));
    return true;
  }

  const DRAW = { daily: trend, monthly: trend, rates, coverage, map };
  const ROW_HEIGHT = { rates: 40, coverage: 28 };
  const WIDE = window.matchMedia("(min-width: 992px)");

  document.addEventListener("DOMContentLoaded", () => {
    const source = document.getElementById("dashboard-data");
    if (!source || typeof echarts === "undefined") return;
    const all = JSON.parse(source.textContent);
    const charts = [];
    document.querySelectorAll("[data-chart]").forEach((el) => {
      const name = el.dataset.chart;
      if (!all[name]) return;
      if (ROW_HEIGHT[name]) rowsHeight(el, all[name].labels.length, ROW_HEIGHT[name]);
      const chart = echarts.init(el, null, { renderer: "svg" });
      if (DRAW[name](chart, all[name], all.text) === false) {
        el.remove();
        return;
      }
      charts.push(chart);
      // The chart stands for the table now: fold the table (one tap opens it again), except a table that has
      // room beside its chart on a wide screen.
      const table = el.closest(".card").querySelector("details.dashboard-table");
      if (table && !("wide" in table.dataset && WIDE.matches)) table.open = false;
    });
    window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
    document.body.dataset.chartsDrawn = String(charts.length);
  });
})();
