// tools/casex.cpp: the casex command line: registers the subcommands (one
// file each under tools/) and runs the one named. Calls only the public API.
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdio>
#include <iostream>

#include "casex/version.h"
#include "tools/commands.h"
#include "tools/io.h"

namespace casex::cli {

LoadResult load_rules(const std::string& dir) {
  return dir.empty() ? RuleSet::load_builtin() : RuleSet::load_directory(dir);
}

bool print_diagnostics(const LoadResult& r) {
  io::err(format_diagnostics(r.diagnostics, r.sources));
  return r.rules.has_value();
}

}  // namespace casex::cli

namespace {

// A command this build leaves out (CMakeLists.txt: CASEX_WITH_SERVE,
// CASEX_WITH_LSP): named in --help, and run it says so (exit 2).
[[maybe_unused]] void add_absent_command(CLI::App& app, const char* name, const char* option,
                                         int& status) {
  auto* cmd = app.add_subcommand(
      name, std::string("Not in this build of casex (configured with -D") + option + "=OFF)");
  cmd->allow_extras();
  cmd->callback([name, option, &status] {
    status = casex::cli::io::guarded(name, 1, [&] {
      casex::cli::io::errf("casex {}: not in this build of casex (configured with -D{}=OFF)\n",
                           name, option);
      return 2;
    });
  });
}

int run(int argc, char** argv) {
  CLI::App app{"casex: decides the case exchange operations of incident changes from rule files"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "casex " CASEX_VERSION);
  int status = 0;
  casex::cli::add_eval_command(app, status);
  casex::cli::add_lint_command(app, status);
  casex::cli::add_explain_command(app, status);
  casex::cli::add_test_command(app, status);
  casex::cli::add_render_command(app, status);
  casex::cli::add_diff_command(app, status);
#if CASEX_WITH_SERVE
  casex::cli::add_serve_command(app, status);
#else
  add_absent_command(app, "serve", "CASEX_WITH_SERVE", status);
#endif
#if CASEX_WITH_LSP
  casex::cli::add_lsp_command(app, status);
#else
  add_absent_command(app, "lsp", "CASEX_WITH_LSP", status);
#endif
  // Each command runs in casex::cli::io::guarded (no exception leaves it, its
  // output checked); this catches what is left: usage errors, --help, --version.
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version write standard output (exit 0, 1 when it cannot be
    // written); a usage error is exit status 2.
    return casex::cli::io::guarded("", 1, [&] {
      int c = app.exit(e);
      std::cout.flush();
      std::cerr.flush();
      if (c == 0 && casex::cli::io::state().stdout_closed) {
        casex::cli::io::fail_out(EBADF);
      } else if (!std::cout) {
        errno = 0;
        std::fflush(stdout);
        casex::cli::io::fail_out(errno ? errno : EIO);
      }
      return c == 0 ? 0 : 2;
    });
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything opens a file: a closed 0, 1 or 2 gets /dev/null, so that
  // a decision log or an output file never becomes standard output or error.
  casex::cli::io::check_std_fds();
  // Also around building the command line: under a tight memory limit the
  // allocation that fails may be the CLI11 App's own. The message names the
  // command as the commands' own messages do ("casex eval: …"), without
  // allocating.
  auto fail = [&](std::string_view what) {
    casex::cli::io::err("casex");
    if (argc > 1 && argv[1][0] != '-') {
      casex::cli::io::err(" ");
      casex::cli::io::err(argv[1]);
    }
    casex::cli::io::err(what);
    return 2;
  };
  try {
    return run(argc, argv);
  } catch (const std::bad_alloc&) {
    return fail(": out of memory\n");
  } catch (...) {
    return fail(": internal error\n");
  }
}
