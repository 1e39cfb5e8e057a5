// The `bench` program: Google Benchmark suites, plus `bench --write-byt5-small DIR`, which writes a
// random byt5-small-shaped checkpoint (f32 safetensors, ~1.2 GB) for measuring load time and memory
// with the real binary, e.g. `/usr/bin/time -v build/byt5 score --model DIR`.
#include <benchmark/benchmark.h>

#include <cstring>
#include <iostream>

#include "bench_util.h"
#include "model/checkpoint.h"

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--write-byt5-small") == 0) {
    byt5::save_params(argv[2], byt5::bench::random_params(byt5::bench::byt5_small()));
    std::cout << "wrote " << argv[2] << "\n";
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
