#!/usr/bin/env bash
# The system tools the GPU targets are checked with, from Debian: Mesa's
# lavapipe Vulkan driver and the loader (the `vulkan` device runs on it),
# spirv-tools (spirv-val), llvm-22 / lld-22 (AMDGPU code objects: this LLVM
# version, with the AMDGPU backend the PyPI LLVM lacks) and rocm-device-libs
# (ocml). CUDA's ptxas comes with the machine, not from here.
#
# Idempotent: installs only what is missing, and returns at once when nothing
# is. Best effort: without root or apt it says what is missing and returns 0,
# and the tests that need a missing tool skip, naming it.
set -uo pipefail

packages=(mesa-vulkan-drivers libvulkan1 spirv-tools llvm-22 lld-22 rocm-device-libs)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    echo "ember: GPU tools missing (${missing[*]}); run as root: apt-get install ${missing[*]}" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null; then
  echo "ember: GPU tools missing (${missing[*]}) and no apt-get here" >&2
  exit 0
fi
echo "ember: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null \
  && "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null \
  || echo "ember: could not install ${missing[*]}; GPU tests that need them will skip" >&2
exit 0
