// Clientside callbacks (an asset file, so the Content-Security-Policy needs no inline script).
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  tracker: {
    // The table's rows come from the server a block at a time: when the filter (URL) or the
    // data changes, drop the cached blocks so the grid asks again for the rows it shows.
    refreshGrid: function (_search, _version, gridId) {
      window.dash_ag_grid.getApiAsync(gridId).then(function (api) { api.purgeInfiniteCache(); });
      return window.dash_clientside.no_update;
    },
    // The counts and map figures of a new view: drawn after the timeline's redraw (or at once
    // when no timeline redraw comes), so a filter click shows the timeline without waiting for them.
    drawAfterTimeline: function (later) {
      if (!later) { return [window.dash_clientside.no_update, window.dash_clientside.no_update]; }
      return new Promise(function (resolve) {
        var done = false;
        var draw = function () { if (!done) { done = true; setTimeout(function () { resolve([later.counts, later.map]); }, 0); } };
        var gd = document.querySelector('#timeline .js-plotly-plot');
        if (gd && gd.once) { gd.once('plotly_afterplot', draw); }
        setTimeout(draw, gd && gd.once ? 50 : 0);
      });
    },
  },
});
