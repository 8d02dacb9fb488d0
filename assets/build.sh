#!/usr/bin/env bash
# Rebuilds the vendored front-end files in src/dathub/core/static/ from the npm registry.
# The output is committed, so neither `make demo` nor CI needs npm.
set -euo pipefail
cd "$(dirname "$0")"
npm install --no-audit --no-fund
out=../src/dathub/core/static
mkdir -p "$out/vendor"
npx sass --no-source-map --style=compressed --quiet-deps --silence-deprecation=import dathub.scss "$out/dathub.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$out/vendor/govuk-frontend.min.js"
cp node_modules/htmx.org/dist/htmx.min.js "$out/vendor/htmx.min.js"
cp node_modules/axe-core/axe.min.js ../tests/browser/axe.min.js  # browser tests only
