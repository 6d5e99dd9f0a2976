"""JavaScript probes the browser tests evaluate in the page (plotly and AG Grid internals)."""

# Events plotted on the timeline: one customdata id per drawn event (legend traces have none).
PLOTTED = """() => {
  const gd = document.querySelector('#timeline .js-plotly-plot');
  if (!gd || !gd._fullData) return -1;
  return gd._fullData.filter(t => t.visible === true && t.meta && t.meta.kind === 'events')
                     .reduce((n, t) => n + t.customdata.length, 0);
}"""
# Page coordinates of one plotted event, from plotly's own axes.
POINT_XY = """(eventId) => {
  const gd = document.querySelector('#timeline .js-plotly-plot');
  const box = gd.getBoundingClientRect(), axis = id => gd._fullLayout[id[0] + 'axis' + id.slice(1)];
  for (const t of gd._fullData) {
    const i = (t.customdata || []).indexOf(eventId), xa = axis(t.xaxis), ya = axis(t.yaxis);
    if (i >= 0 && t.type === 'scatter')
      return [box.left + xa._offset + xa.d2p(t.x[i]), box.top + ya._offset + ya.d2p(t.y[i])];
  }
  return null;
}"""
# How the timeline is painted, from the page's own SVG: for every mark, ring and bar drawn (not
# the range slider's), whether its outline (and a filled marker's fill) is the colour its trace
# gives it; and the range slider overview's fill. Colours as "#rrggbb".
PAINTED = """() => {
  const gd = document.querySelector('#timeline .js-plotly-plot');
  const ctx = document.createElement('canvas').getContext('2d');
  const hex = c => { ctx.fillStyle = '#000000'; ctx.fillStyle = c; return ctx.fillStyle; };
  const out = {marks: 0, wrong: [], overview: null};
  gd.querySelectorAll('.cartesianlayer .scatterlayer .trace').forEach(group => {
    const trace = group.__data__[0].trace;
    group.querySelectorAll('path.point').forEach(node => {
      const d = node.__data__, want = hex(d.mc !== undefined ? d.mc : trace.marker.color);
      const style = getComputedStyle(node), open = String(trace.marker.symbol).includes('open');
      out.marks += 1;
      if (hex(style.stroke) !== want || (!open && hex(style.fill) !== want))
        out.wrong.push([trace.meta && trace.meta.kind, want, style.stroke, style.fill]);
    });
  });
  gd.querySelectorAll('.cartesianlayer .barlayer .trace').forEach(group => {
    const trace = group.__data__[0].trace;
    if (trace.meta && trace.meta.kind === 'legend') return;  // (an empty bar, for the legend)
    group.querySelectorAll('.point path').forEach(node => {
      const d = node.parentNode.__data__, stroke = getComputedStyle(node).stroke;
      const want = hex(d.mlc !== undefined ? d.mlc : trace.marker.line.color);
      out.marks += 1;
      if (hex(stroke) !== want) out.wrong.push([trace.meta && trace.meta.kind, want, stroke]);
    });
  });
  const overview = gd.querySelector('.rangeslider-container path.js-fill');
  out.overview = overview && hex(getComputedStyle(overview).fill);
  return out;
}"""
