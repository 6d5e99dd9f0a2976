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
