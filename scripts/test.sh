#!/usr/bin/env bash
# The whole test suite: a Release build with every test, the same tests under AddressSanitizer +
# UBSan, and a bounded libFuzzer run of the parsers. CI (.ci/run) runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
# ctest runs two test processes at once on 2 cores: spinning OpenMP threads would starve each other.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
echo "== tests (Release)"
ctest --test-dir build --output-on-failure -j2

echo "== tests under AddressSanitizer + UBSan"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBYT5_SANITIZE=ON -DBYT5_BENCH=OFF >/dev/null
cmake --build build-asan -j"$(nproc)"
# oneDNN's JIT and OpenMP runtime keep allocations alive until exit: leak checking would only report those.
ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-asan --output-on-failure -j2

echo "== fuzzing (bounded)"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBYT5_FUZZ=ON -DBYT5_SANITIZE=ON \
  -DBYT5_TESTS=OFF -DBYT5_BENCH=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzzers
for f in build-fuzz/*_fuzz; do
  [ -x "$f" ] || continue
  echo "-- $f"
  ASAN_OPTIONS=detect_leaks=0 "$f" -max_total_time=30 -max_len=4096 -print_final_stats=0 2>&1 | tail -n 2
done
echo "all test stages passed"
