# Sourced by the image build scripts: helpers to assemble a root file system
# from this machine's binaries, for `docker import` (no registry, no base image).

# copy_libraries ROOT FILE...: copies the closure of shared libraries the files
# need (ldd), and the loader, to the same paths under ROOT.
copy_libraries() {
  local root="$1" lib loader
  shift
  printf '%s\0' "$@" | xargs -0 ldd 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' | sort -u |
    while read -r lib; do
      [ -e "$lib" ] || continue
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  for loader in /lib64/ld-linux-x86-64.so.2 /lib/ld-linux-aarch64.so.1; do
    if [ -e "$loader" ]; then mkdir -p "$root$(dirname "$loader")"; cp -L "$loader" "$root$loader"; fi
  done
}

# copy_with_libraries ROOT FILE...: copies each file to the same path under ROOT, with its libraries.
copy_with_libraries() {
  local root="$1" file
  shift
  for file in "$@"; do
    mkdir -p "$root$(dirname "$file")"
    cp -L "$file" "$root$file"
  done
  copy_libraries "$root" "$@"
}

# add_shell ROOT: a POSIX shell at /bin/sh (the host's dash), for the entry scripts.
add_shell() {
  local root="$1" shell
  shell="$(readlink -f /bin/sh)"
  copy_with_libraries "$root" "$shell"
  mkdir -p "$root/bin"
  [ -e "$root/bin/sh" ] || ln -s "$shell" "$root/bin/sh"
}

# image_size TAG: the image's size in MB, for the closing line.
image_size() {
  docker image inspect "$1" --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}'
}
