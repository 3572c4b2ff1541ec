#!/usr/bin/env bash
# The two entry points of a fresh clone: `./seer.sh demo` runs seer's
# showcase, `./seer.sh test` runs the tests. Each first checks (and, where it
# may, installs) the system packages; models and the ONNX Runtime library are
# fetched by seer itself on first use.
set -euo pipefail
cd "$(dirname "$0")"
case "${1:-}" in
  demo)
    shift
    scripts/setup.sh
    exec cargo run --release --quiet -- demo "$@"
    ;;
  test)
    shift
    scripts/setup.sh
    exec cargo test --release "$@"
    ;;
  *)
    echo "usage: ./seer.sh demo [DEMO OPTIONS] | ./seer.sh test [CARGO TEST OPTIONS]" >&2
    exit 2
    ;;
esac
