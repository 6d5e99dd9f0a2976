// Clientside callbacks (an asset file, so the Content-Security-Policy needs no inline script).
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  tracker: {
    // The table's rows come from the server a block at a time: when the filter (URL) or the
    // data changes, drop the cached blocks so the grid asks again for the rows it shows. The
    // "Change" column shows while the filter has a "changed since".
    refreshGrid: function (search, _version, gridId) {
      var changes = new URLSearchParams(search || "").has("changed_since");
      window.dash_ag_grid.getApiAsync(gridId).then(function (api) {
        api.setColumnsVisible(["change"], changes);
        api.purgeInfiniteCache();
      });
      return window.dash_clientside.no_update;
    },
    // The "Read these events" link carries the page's filter (the URL's query) to /read.
    readHref: function (search, href) {
      return href.split("?")[0] + (search || "");
    }
  },
});
