#!/bin/sh
# Side by side: command lines through `xz` and `swiftlzma` (see cli-parity.py).
# usage: Scripts/cli-parity.sh [--swiftlzma PATH] [--xz PATH] [-v]
# Without --swiftlzma it uses .build/release/swiftlzma (swift build -c release).
exec python3 "$(dirname "$0")/cli-parity.py" "$@"
