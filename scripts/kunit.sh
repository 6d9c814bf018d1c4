#!/bin/bash
# kunit.sh CONSOLE_LOG: parse the KUnit results that the kernel printed at boot,
# with the tree's own tools/testing/kunit/kunit.py.
#   in:  a console log from scripts/qemu.sh (the debug config builds KUnit in)
#   out: kunit.py's report on stdout, ending "Testing complete. Ran N tests: ..."
set -euo pipefail
. "$(dirname "$0")/lib.sh"

log=${1:-}
[ -r "$log" ] || die "usage: kunit.sh CONSOLE_LOG (cannot read '$log')"
# kunit.py changes to the tree first: hand it an absolute path.
log=$(realpath "$log")
exec python3 "$TREE/tools/testing/kunit/kunit.py" parse "$log"
