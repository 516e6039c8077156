#!/usr/bin/env bash
# expect_exit.sh [--absent REGEX2] STATUS REGEX COMMAND...: passes when COMMAND exits with STATUS and
# its standard error matches REGEX (extended grep) and, with --absent, does not match REGEX2.
absent=
if [ "$1" = --absent ]; then absent=$2; shift 2; fi
status=$1 pattern=$2
shift 2
err=$("$@" 2>&1 >/dev/null)
got=$?
if [ "$got" -ne "$status" ]; then
  echo "expected exit $status, got $got: $*"; echo "$err"; exit 1
fi
if ! grep -Eq -- "$pattern" <<<"$err"; then
  echo "stderr does not match /$pattern/: $*"; echo "$err"; exit 1
fi
if [ -n "$absent" ] && grep -Eq -- "$absent" <<<"$err"; then
  echo "stderr matches /$absent/: $*"; echo "$err"; exit 1
fi
echo "ok: exit $got, stderr: $err"
