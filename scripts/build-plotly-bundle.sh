#!/usr/bin/env bash
# Rebuild dashboard/assets/plotly-tracker.min.js: plotly.js with only the trace types the
# dashboard draws (scatter, bar, heatmap, scattergeo), about a third of the full bundle, so the
# first page parses less before the timeline is drawn. Dash's graphs use it because it defines
# window.Plotly before they load (they fetch the full bundle only when it is missing).
#
# Before building, it applies the patches in scripts/plotly-patches/ (each says what it changes
# and why; they make a redraw cheaper without changing what is drawn), and names them in the
# bundle's banner (a test checks that every patch there is in the committed bundle).
#
# Needs node, npm and git (not needed to run or test the tracker: the built file is committed).
# Usage: scripts/build-plotly-bundle.sh [PLOTLY_JS_VERSION]   (default: the one plotly.py ships)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
version="${1:-$("$here/.venv/bin/python" -c 'from plotly.offline import get_plotlyjs_version as v; print(v())')}"
traces=(bar heatmap scattergeo)  # (scatter is in plotly.js's core; the dashboard never draws WebGL: its CSP forbids eval)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "plotly.js@$version" >/dev/null
tar xzf "plotly.js-$version.tgz"
cd package
npm install --silent --omit=dev --ignore-scripts --no-audit --no-fund
patches=()
for patch in "$here"/scripts/plotly-patches/*.patch; do
  git apply "$patch"
  patches+=("$(basename "$patch" .patch)")
done
npm install --silent --no-save --ignore-scripts --no-audit --no-fund \
  esbuild esbuild-plugin-glsl esbuild-plugin-inline-css esbuild-plugin-environment stream-browserify
{
  echo "'use strict';"
  echo "var Plotly = require('./core');"
  echo "Plotly.register(["
  for trace in "${traces[@]}"; do echo "    require('./$trace'),"; done
  echo "]);"
  echo "module.exports = Plotly;"
} > lib/index-tracker.js
cat > build-tracker.js <<JS
// plotly.js's own esbuild settings (its esbuild-config.js), for the entry above, minified.
const esbuild = require('esbuild');
const { environmentPlugin } = require('esbuild-plugin-environment');
const { glsl } = require('esbuild-plugin-glsl');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');
esbuild.build({
  entryPoints: ['./lib/index-tracker.js'],
  outfile: './dist/plotly-tracker.min.js',
  format: 'iife', globalName: 'Plotly', bundle: true, minify: true, legalComments: 'none',
  plugins: [InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
  alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
  define: { global: 'window', 'define.amd': 'false' },
  target: 'es2016',
  banner: { js: '/** plotly.js v$version (MIT, Plotly, Inc.), partial bundle: scatter, ${traces[*]}; patched: ${patches[*]} */' },
}).catch(() => process.exit(1));
JS
node build-tracker.js
cp dist/plotly-tracker.min.js "$here/dashboard/assets/plotly-tracker.min.js"
echo "dashboard/assets/plotly-tracker.min.js: plotly.js $version, scatter ${traces[*]}; patched: ${patches[*]}"
