// Each subcommand lives in its own file and registers itself on the top-level CLI11 app.
// Registration stores the command's action in `run`; main() calls it after parsing succeeds.
#pragma once
#include <functional>

#include <CLI/CLI.hpp>

namespace byt5::cli {

using Runner = std::function<int()>;

void add_parse_command(CLI::App& app, Runner& run);
void add_generate_command(CLI::App& app, Runner& run);
void add_score_command(CLI::App& app, Runner& run);
void add_eval_command(CLI::App& app, Runner& run);
void add_train_command(CLI::App& app, Runner& run);
void add_export_command(CLI::App& app, Runner& run);
void add_bench_command(CLI::App& app, Runner& run);

}  // namespace byt5::cli
