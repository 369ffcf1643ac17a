# shellcheck shell=bash
# Node.js helpers for tools/dev: node and npm (Debian's packages when missing), and newman, the
# Postman collection runner, installed with `npm ci` into tools/postman/node_modules, and the
# server API example's gRPC libraries in tools/examples/node/node_modules.

POSTMAN_DIR=$ROOT/tools/postman
NEWMAN=$POSTMAN_DIR/node_modules/.bin/newman
# Written after a successful `npm ci`: the lock file it installed, so a warm run skips npm.
NEWMAN_STAMP=$POSTMAN_DIR/node_modules/.chatter-installed-lock

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

# ensure_newman: installs newman exactly as tools/postman/package-lock.json pins it, unless
# node_modules already holds that install.
ensure_newman() {
  ensure_node
  if [[ -x $NEWMAN && -f $NEWMAN_STAMP ]] && cmp -s "$NEWMAN_STAMP" "$POSTMAN_DIR/package-lock.json"; then
    return 0
  fi
  log "installing newman (npm ci in ${POSTMAN_DIR#"$ROOT"/})"
  (cd "$POSTMAN_DIR" && npm ci --no-audit --no-fund --loglevel=error) ||
    die "npm ci in ${POSTMAN_DIR#"$ROOT"/} failed"
  cp "$POSTMAN_DIR/package-lock.json" "$NEWMAN_STAMP"
}

BROWSER_DIR=$ROOT/tools/browser
BROWSER_STAMP=$BROWSER_DIR/node_modules/.chatter-installed-lock

# ensure_browser_check: Debian's Chromium and playwright-core (as tools/browser/package-lock.json
# pins it; it drives the installed Chromium and downloads no browser of its own).
ensure_browser_check() {
  ensure_node
  # playwright-core needs Node.js 20 or later; Debian 12's own nodejs is 18.
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  ((major >= 20)) || die "tools/dev browser-check needs Node.js >= 20 (playwright-core); this node is $(node --version)"
  ensure_packages chromium
  if [[ -f $BROWSER_STAMP ]] && cmp -s "$BROWSER_STAMP" "$BROWSER_DIR/package-lock.json"; then
    return 0
  fi
  log "installing playwright-core (npm ci in ${BROWSER_DIR#"$ROOT"/})"
  (cd "$BROWSER_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) ||
    die "npm ci in ${BROWSER_DIR#"$ROOT"/} failed"
  cp "$BROWSER_DIR/package-lock.json" "$BROWSER_STAMP"
}

EXAMPLE_NODE_DIR=$ROOT/tools/examples/node
EXAMPLE_NODE_STAMP=$EXAMPLE_NODE_DIR/node_modules/.chatter-installed-lock

# ensure_example_deps: @grpc/grpc-js and @grpc/proto-loader for tools/examples/node (as its
# package-lock.json pins them; Node.js 18, Debian 12's, is enough), unless already installed.
ensure_example_deps() {
  ensure_node
  if [[ -f $EXAMPLE_NODE_STAMP ]] && cmp -s "$EXAMPLE_NODE_STAMP" "$EXAMPLE_NODE_DIR/package-lock.json"; then
    return 0
  fi
  log "installing the server API example's gRPC libraries (npm ci in ${EXAMPLE_NODE_DIR#"$ROOT"/})"
  (cd "$EXAMPLE_NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error) ||
    die "npm ci in ${EXAMPLE_NODE_DIR#"$ROOT"/} failed"
  cp "$EXAMPLE_NODE_DIR/package-lock.json" "$EXAMPLE_NODE_STAMP"
}
