#!/usr/bin/env bash
# The gate step of action.yml, kept in a file so it can be run and tested outside GitHub:
# run `cvebuild gate` with the action's inputs, write the reports, append the Markdown verdict to
# the job summary and record the outcome as step outputs. Never fails itself: the action's last
# step turns the recorded exit code into the job's result, after SARIF has been uploaded.
set -uo pipefail

bin="${CVEBUILD_BIN:?CVEBUILD_BIN must point at bin/cvebuild.js}"
args=(gate "${INPUT_PATH:-.}")
[ -n "${INPUT_POLICY:-}" ] && args+=(--policy "$INPUT_POLICY")
[ -n "${INPUT_DB:-}" ] && args+=(--db "$INPUT_DB")
[ -n "${INPUT_SARIF:-}" ] && args+=(--output "sarif=$INPUT_SARIF")
[ -n "${INPUT_HTML:-}" ] && args+=(--output "html=$INPUT_HTML")
summary="$(mktemp)"
args+=(--output "markdown=$summary")
if [ -n "${INPUT_ARGS:-}" ]; then
  read -r -a extra <<< "$INPUT_ARGS"
  args+=("${extra[@]}")
fi

node "$bin" "${args[@]}"
code=$?

case "$code" in
  0) verdict=pass ;;
  1) verdict=fail ;;
  *) verdict=error ;;
esac

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  if [ -s "$summary" ]; then
    cat "$summary" >> "$GITHUB_STEP_SUMMARY"
  else
    printf '**cvebuild: could not run** (exit %s); see the job log.\n' "$code" >> "$GITHUB_STEP_SUMMARY"
  fi
fi
rm -f "$summary"

# A report path is handed to the upload steps only when this run wrote it (exit 0 or 1; cvebuild
# refuses to write through a symlink). After exit 2 a file of that name is whatever the checkout
# holds: a pull request could plant a symlink there to have another file uploaded.
written() { [ -n "$1" ] && [ "$code" -le 1 ] && [ -f "$1" ] && [ ! -L "$1" ]; }

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "verdict=$verdict"
    echo "exit-code=$code"
    if written "${INPUT_SARIF:-}"; then echo "sarif=$INPUT_SARIF"; else echo "sarif="; fi
    if written "${INPUT_HTML:-}"; then echo "html=$INPUT_HTML"; else echo "html="; fi
  } >> "$GITHUB_OUTPUT"
fi
exit 0
