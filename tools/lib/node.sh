# shellcheck shell=bash
# Node.js helpers for tools/dev: node and npm (Debian's packages when missing), and newman, the
# Postman collection runner, installed with `npm ci` into tools/postman/node_modules, the
# server API example's gRPC libraries in tools/examples/node/node_modules, the web SDK's
# build and test tools in tools/web/sdk/node_modules, the Node.js baseline's ws and pg in
# tools/baseline/node_modules, and the web files the gateway serves in
# development (the landing page, the web app).

POSTMAN_DIR=$ROOT/tools/postman
NEWMAN=$POSTMAN_DIR/node_modules/.bin/newman
BROWSER_DIR=$ROOT/tools/browser
EXAMPLE_NODE_DIR=$ROOT/tools/examples/node
WEB_SDK_DIR=$ROOT/tools/web/sdk
BASELINE_DIR=$ROOT/tools/baseline
WEB_SITE_DIR=$ROOT/tools/web/site
WEB_APP_DIR=$ROOT/tools/web/app

# ensure_node: `node` and `npm` on PATH. Checked by command, not by package name: a machine may
# already have a Node.js that bundles npm (and conflicts with Debian's npm package).
ensure_node() {
  local missing=()
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if ((${#missing[@]})); then ensure_packages "${missing[@]}"; fi
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    die "node and npm are still missing after installing ${missing[*]}"
  fi
}

# npm_ci_once DIR WHAT [NAME=VALUE...]: `npm ci` in DIR (exactly what its package-lock.json
# pins; WHAT names it in the log; the assignments go to npm's environment), unless node_modules
# already holds that install: a stamp written after a successful `npm ci` (a copy of the lock
# file it installed) lets a warm run skip npm.
npm_ci_once() {
  local dir=$1 what=$2
  shift 2
  local stamp=$dir/node_modules/.chatter-installed-lock
  if [[ -f $stamp ]] && cmp -s "$stamp" "$dir/package-lock.json"; then
    return 0
  fi
  log "installing $what (npm ci in ${dir#"$ROOT"/})"
  (cd "$dir" && env "$@" npm ci --no-audit --no-fund --loglevel=error) ||
    die "npm ci in ${dir#"$ROOT"/} failed"
  cp "$dir/package-lock.json" "$stamp"
}

# ensure_newman: newman, the Postman collection runner, as tools/postman/package-lock.json pins it.
ensure_newman() {
  ensure_node
  [[ -x $NEWMAN ]] || rm -f "$POSTMAN_DIR/node_modules/.chatter-installed-lock"
  npm_ci_once "$POSTMAN_DIR" newman
}

# ensure_browser_check: Debian's Chromium, playwright-core and axe-core (as
# tools/browser/package-lock.json pins them; playwright-core drives the installed Chromium and
# downloads no browser of its own).
ensure_browser_check() {
  ensure_node
  # playwright-core needs Node.js 20 or later; Debian 12's own nodejs is 18.
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  ((major >= 20)) || die "the browser checks and tests need Node.js >= 20 (playwright-core); this node is $(node --version)"
  ensure_packages chromium
  npm_ci_once "$BROWSER_DIR" playwright-core PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
}

# ensure_example_deps: @grpc/grpc-js and @grpc/proto-loader for tools/examples/node (Node.js 18,
# Debian 12's, is enough).
ensure_example_deps() {
  ensure_node
  npm_ci_once "$EXAMPLE_NODE_DIR" "the server API example's gRPC libraries"
}

# ensure_web_sdk_deps: the web SDK's devDependencies (typescript, openapi-typescript, ws) for
# tools/web/sdk; the SDK itself has no runtime dependencies.
ensure_web_sdk_deps() {
  ensure_node
  npm_ci_once "$WEB_SDK_DIR" "the web SDK's build tools"
}

# ensure_baseline_deps: ws and pg for tools/baseline, issue 11's Node.js yardstick (its own
# run.sh installs them too; baseline_e2e_test expects them in place).
ensure_baseline_deps() {
  ensure_node
  npm_ci_once "$BASELINE_DIR" "the Node.js baseline's ws and pg"
}

# build_web_site: the landing page into tools/web/site/dist (plain Node.js, no npm install).
# Returns non-zero, with a warning, when it fails: the stack runs without it.
build_web_site() {
  ensure_node
  log "building the landing page (tools/web/site/dist)"
  node "$WEB_SITE_DIR/build.mjs" >/dev/null || {
    warn "the landing page did not build; the gateway serves no page at /"
    return 1
  }
}

# build_web_app: the web app into tools/web/app/dist (npm ci + npm run build there), when the app
# exists. Returns non-zero, with a warning, when it is missing or fails: the stack runs without it.
build_web_app() {
  if [[ ! -f $WEB_APP_DIR/package.json ]]; then
    warn "no tools/web/app/package.json yet; the gateway serves no app at /app/"
    return 1
  fi
  ensure_node
  # npm_ci_once dies on failure; the subshell keeps that from ending tools/dev.
  if ! (npm_ci_once "$WEB_APP_DIR" "the web app's build tools"); then
    warn "npm ci in tools/web/app failed; the gateway serves no app at /app/"
    return 1
  fi
  log "building the web app (tools/web/app/dist)"
  # .run/logs exists only once `up` ran (not on a fresh machine running `test`).
  local log_dir=${LOG_DIR:-${TMPDIR:-/tmp}}
  mkdir -p "$log_dir"
  local log_file=$log_dir/web-app-build.log
  if ! (cd "$WEB_APP_DIR" && npm run build) >"$log_file" 2>&1; then
    tail -n 20 "$log_file" >&2
    warn "the web app did not build (log: ${log_file#"$ROOT"/}); the gateway serves no app at /app/"
    return 1
  fi
}
