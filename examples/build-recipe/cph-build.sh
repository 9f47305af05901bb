#!/bin/sh
# A stand-in builder for machines without rattler-build: stages a prefix the way the recipe's
# script would (the recipe's files under share/NAME, link scripts under bin/) and packs it with
# conda-package-handling. cvebuild gives it RECIPE_DIR, WORK_DIR, OUTPUT_DIR and TARGET_PLATFORM.
#   usage: cph-build.sh NAME VERSION [BUILD_STRING]
set -eu
name=$1
version=$2
build=${3:-0}
prefix="$WORK_DIR/prefix"
mkdir -p "$prefix/info"
for file in "$RECIPE_DIR"/*; do
  [ -f "$file" ] || continue
  base=$(basename "$file")
  case "$base" in
  recipe.yaml | meta.yaml | cvebuild.toml | cph-build.sh | *.bat) ;;
  *-link.sh | *-unlink.sh)
    mkdir -p "$prefix/bin"
    cp "$file" "$prefix/bin/.$name-$base"
    ;;
  *)
    mkdir -p "$prefix/share/$name"
    cp "$file" "$prefix/share/$name/"
    ;;
  esac
done
cat >"$prefix/info/index.json" <<JSON
{"name": "$name", "version": "$version", "build": "$build", "build_number": 0, "subdir": "$TARGET_PLATFORM", "depends": []}
JSON
(cd "$prefix" && find . -type f ! -path './info/*' | sed 's|^\./||' | sort >info/files)
cph create "$prefix" "$name-$version-$build.conda" --out-folder "$OUTPUT_DIR" >/dev/null
