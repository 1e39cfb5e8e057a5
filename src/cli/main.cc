// byt5: the command-line front end. Usage errors exit 2, runtime errors exit 1.
#include <cstdio>
#include <exception>
#include <iostream>

#include "cli/command.h"
#include "core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"byt5: ByT5 (T5 v1.1 over UTF-8 bytes) inference, training and TOP parsing in C++"};
  app.require_subcommand(1);
  byt5::cli::Runner run;
  byt5::cli::add_parse_command(app, run);
  byt5::cli::add_generate_command(app, run);
  byt5::cli::add_score_command(app, run);
  byt5::cli::add_eval_command(app, run);
  byt5::cli::add_train_command(app, run);
  byt5::cli::add_export_command(app, run);
  byt5::cli::add_bench_command(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  try {
    return run ? run() : 2;
  } catch (const byt5::Error& e) {
    std::cerr << "byt5: error: " << e.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "byt5: error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "byt5: error: " << e.what() << "\n";
    return 1;
  }
}
