// The bulletin page: the bar chart of a chosen rate by child place, the funnel plots of a ranking's peer groups,
// and the wait for a rebuild. The tables on the page are the charts' data views: without scripts nothing is lost.
(function () {
  const data = (id) => {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  };
  const charts = [];
  const text = data("bulletin-text") || {};
  const font = { fontFamily: 'system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif' };

  function barChart() {
    const el = document.getElementById("bulletin-chart");
    const chart = data("chart-data");
    if (!el || !chart || !window.echarts) return;
    const select = document.getElementById("chart-measure");
    const instance = echarts.init(el, null, { renderer: "svg" });
    charts.push(instance);
    // Bars run sideways: the places' names stay readable on a phone, one bar per line of the table.
    el.style.height = `${Math.max(200, chart.labels.length * 30 + 50)}px`;
    instance.resize();
    const draw = () => {
      const series = chart.series[select.value] || chart.series[chart.default];
      if (!series) return;
      instance.setOption({
        textStyle: font,
        grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                   valueFormatter: (v) => (v === null || v === undefined ? "—" : `${v}%`) },
        yAxis: { type: "category", data: chart.labels, inverse: true, axisTick: { show: false } },
        xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        series: [{ type: "bar", name: series.label, data: series.values, barMaxWidth: 18, itemStyle: { color: "#b71c1c" },
                   label: { show: true, position: "right", formatter: (p) => (p.value === null ? "—" : `${p.value}%`) } }],
      }, true);
    };
    select.addEventListener("change", draw);
    draw();
  }

  function funnels() {
    if (!window.echarts) return;
    // A folded group draws its plot when first opened (a hidden element has no size to draw in).
    document.querySelectorAll("[data-funnel]").forEach((el) => {
      const folded = el.closest("details:not([open])");
      if (!folded) { funnel(el); return; }
      folded.addEventListener("toggle", () => { if (folded.open && !el.dataset.drawn) funnel(el); });
    });
  }

  function funnel(el) {
    el.dataset.drawn = "1";
    const group = data(el.dataset.funnel);
    if (!group) return;
    const colour = (p) => (p.state !== "ranked" ? "#adb5bd" : p.distinct ? "#b71c1c" : "#6c757d");
    const points = group.points.map((p) => ({ value: [p.volume, p.score, p.low, p.high], name: p.name,
                                              itemStyle: { color: colour(p) } }));
    const instance = echarts.init(el, null, { renderer: "svg" });
    charts.push(instance);
    instance.setOption({
      textStyle: font,
      title: { text: text.funnel, left: "center", textStyle: { fontSize: 12, fontWeight: "normal" } },
      grid: { left: 8, right: 24, top: 36, bottom: 28, containLabel: true },
      tooltip: { formatter: (p) => `${p.name}<br>${text.score} ${p.value[1].toFixed(2)}（${p.value[2].toFixed(1)}–${p.value[3].toFixed(1)}）<br>${text.volume} ${p.value[0]}` },
      xAxis: { type: "value", name: text.volume, nameLocation: "middle", nameGap: 26, min: 0 },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [
        { type: "custom", name: text.interval, silent: true, data: points,
          renderItem: (params, api) => {
            const x = api.value(0), low = api.coord([x, api.value(2)]), high = api.coord([x, api.value(3)]);
            const style = { stroke: points[params.dataIndex].itemStyle.color, lineWidth: 1.5 };
            return { type: "group", children: [
              { type: "line", shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] }, style },
              { type: "line", shape: { x1: low[0] - 4, y1: low[1], x2: low[0] + 4, y2: low[1] }, style },
              { type: "line", shape: { x1: high[0] - 4, y1: high[1], x2: high[0] + 4, y2: high[1] }, style },
            ] };
          } },
        { type: "scatter", name: text.score, data: points, symbolSize: 8,
          markLine: group.median === null ? undefined : { symbol: "none", silent: true, lineStyle: { type: "dashed", color: "#0d6efd" },
            label: { formatter: `${text.median} ${group.median.toFixed(2)}`, position: "insideStartTop" }, data: [{ yAxis: group.median }] } },
      ],
    });
  }

  // After "rebuild": ask for the build time until it changes, then show the rebuilt page.
  function waitForRebuild() {
    const banner = document.querySelector("[data-rebuilding]");
    const card = document.querySelector("[data-status-url]");
    if (!banner || !card) return;
    const since = banner.dataset.rebuilding;
    let tries = 0;
    const poll = () => {
      tries += 1;
      fetch(card.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : null))
        .then((status) => {
          if (status && status.built_at !== since) window.location.reload();
          else if (tries < 200) window.setTimeout(poll, 3000);
        })
        .catch(() => window.setTimeout(poll, 6000));
    };
    window.setTimeout(poll, 2000);
  }

  document.addEventListener("DOMContentLoaded", () => {
    barChart();
    funnels();
    waitForRebuild();
    window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  });
})();
