// Builds the frontend into dist/ the way Grafana loads plugins: one AMD
// module, dist/module.js, whose shared libraries (React, @grafana/*, rxjs,
// lodash, emotion, ...) are AMD dependencies that Grafana itself provides at
// run time, plus plugin.json, img/ and the docs copied beside it.
//
// dist/ is cleaned on each build except the backend binaries (gpx_*), so
// the build may run before or after `go build -o dist/gpx_quorate_<os>_<arch>`.
const path = require('path');
const CopyWebpackPlugin = require('copy-webpack-plugin');

const pkg = require('./package.json');
const pluginJson = require('./src/plugin.json');

const DIST = path.resolve(__dirname, 'dist');

// The date plugin.json calls `updated`. SOURCE_DATE_EPOCH (seconds, the
// reproducible-builds convention) pins it so two builds give the same dist.
function buildDate() {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const date = epoch ? new Date(Number(epoch) * 1000) : new Date();
  if (Number.isNaN(date.getTime())) {
    throw new Error(`SOURCE_DATE_EPOCH=${epoch} is not a number of seconds since 1970`);
  }
  return date.toISOString().slice(0, 10);
}

function fillPlaceholders(content) {
  return content
    .toString()
    .replace(/%VERSION%/g, pkg.version)
    .replace(/%TODAY%/g, buildDate())
    .replace(/%PLUGIN_ID%/g, pluginJson.id);
}

// What Grafana shares with plugins at run time; bundling a second copy of
// React or @grafana/* would break hooks, context and theming.
const externals = [
  'react',
  'react-dom',
  /^@grafana\/(data|runtime|ui)(\/.*)?$/,
  'lodash',
  'rxjs',
  'rxjs/operators',
  'emotion',
  '@emotion/css',
  '@emotion/react',
  'moment',
  'jquery',
  'd3',
  'i18next',
  'prismjs',
  'slate',
  'slate-plain-serializer',
  '@grafana/slate-react',
  'react-redux',
  'redux',
  'react-router',
  'react-router-dom',
  'angular',
];

module.exports = (env = {}) => {
  const production = Boolean(env.production);
  return {
    mode: production ? 'production' : 'development',
    context: path.resolve(__dirname, 'src'),
    entry: { module: './module.ts' },
    devtool: production ? 'source-map' : 'eval-source-map',
    externals,
    externalsType: 'amd',
    output: {
      path: DIST,
      filename: '[name].js',
      library: { type: 'amd' },
      publicPath: `public/plugins/${pluginJson.id}/`,
      uniqueName: pluginJson.id,
      clean: { keep: (asset) => /^gpx_/.test(asset) },
    },
    resolve: {
      extensions: ['.ts', '.tsx', '.js', '.jsx'],
    },
    module: {
      rules: [
        {
          test: /\.[tj]sx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: {
              jsc: {
                target: 'es2018',
                parser: { syntax: 'typescript', tsx: true },
                transform: { react: { runtime: 'classic' } },
              },
            },
          },
        },
      ],
    },
    plugins: [
      new CopyWebpackPlugin({
        patterns: [
          { from: 'plugin.json', to: '.', transform: fillPlaceholders },
          { from: 'img', to: 'img' },
          { from: '../README.md', to: '.', transform: fillPlaceholders, noErrorOnMissing: true },
          { from: '../CHANGELOG.md', to: '.', noErrorOnMissing: true },
          { from: '../LICENSE', to: '.', noErrorOnMissing: true },
        ],
      }),
    ],
    performance: { hints: false },
    infrastructureLogging: { level: 'warn' },
    stats: production ? 'errors-warnings' : 'normal',
  };
};
