// Bootstrap's CSS cut down to the selectors our pages use; `make vendor` runs it and writes
// static/vendor/bootstrap/bootstrap.min.css (untracked, like the rest of static/vendor). The whole of Bootstrap
// (232 KB) on every page was most of a phone's first load (issue 15).
//
// PurgeCSS keeps a selector when each of its class names appears as a word in the content: our templates, our
// scripts, and the Python that puts classes on widgets (wudu/forms.py). A class built from a variable
// (`btn-{{ form.step.style }}`, `alert-${kind}`) does not appear whole, so the colour variants of those
// families are kept by the safelist. A new template that uses a new Bootstrap class needs `make vendor` again
// (the Makefile re-runs this when a template, a script or a Python file is newer than the output).
//
// Usage: node tools/bootstrap-subset.mjs <source.css> <output.css>
import { readFileSync, writeFileSync } from "node:fs";
import { PurgeCSS } from "purgecss";

const [source, output] = process.argv.slice(2);
const COLOURS = "(primary|secondary|success|danger|warning|info|light|dark)";
const [result] = await new PurgeCSS().purge({
  css: [{ raw: readFileSync(source, "utf8") }],
  content: ["templates/**/*.html", "*/templates/**/*.html", "static/js/**/*.js", "static/bulletins/**/*.js",
            "*/**/*.py"],
  skippedContentGlobs: ["node_modules/**", ".venv/**", "static/vendor/**", "staticfiles/**", "tests/**",
                        "var/**", "media/**"],
  safelist: {
    standard: ["show", "collapse", "collapsing", "active", "disabled", "is-invalid", "is-valid", "was-validated"],
    greedy: [new RegExp(`^(btn|btn-outline|alert|text-bg|bg|text|border|badge|link)-${COLOURS}`)],
  },
  keyframes: true,
  fontFace: true,
});
// The source map names the whole file: it does not describe this one.
writeFileSync(output, result.css.replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, "") + "\n");
