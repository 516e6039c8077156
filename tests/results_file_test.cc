// A results file as `qbench run` writes it: Google Benchmark's JSON with every repetition, the
// counters and names the scripts rely on, provenance; never overwritten; partial after Ctrl-C; an
// unwritable path refused before any work; per-path kernel ids ("uint4@scalar") verified and timed
// beside the dispatched ones, or refused / skipped with their reason where this CPU cannot run them.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "lowbit/gemm.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ResultsFileTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("qbench-test-" + std::to_string(getpid()) + "-" +
                                        testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_config(const json& config) {
    const std::string path = (dir_ / "config.json").string();
    std::ofstream(path) << config.dump();
    return path;
  }

  // Runs qbench with `args`; returns its exit status. `interrupt_after` > 0 sends SIGINT then.
  int qbench(const std::vector<std::string>& args, double interrupt_after = 0) {
    const pid_t pid = fork();
    if (pid == 0) {
      std::vector<char*> argv = {const_cast<char*>(QBENCH_EXE)};
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      const std::string log = (dir_ / "stderr.txt").string();
      freopen(log.c_str(), "w", stderr);
      freopen("/dev/null", "w", stdout);
      execv(QBENCH_EXE, argv.data());
      _exit(127);
    }
    if (interrupt_after > 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(interrupt_after));
      kill(pid, SIGINT);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  std::string stderr_text() const {
    std::ifstream in(dir_ / "stderr.txt");
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }

  static json read(const fs::path& path) {
    std::ifstream in(path);
    return json::parse(in);
  }

  fs::path dir_;
};

const json kTinyConfig = {{"name", "tiny"},
                          {"kernels", {"uint4", "uint8", "float32"}},
                          {"shapes", {{8, 100, 10}, {3, 17, 300}}},
                          {"repetitions", 3},
                          {"min_time", 0.001}};

TEST_F(ResultsFileTest, KeepsEveryRepetitionTheCountersAndTheProvenance) {
  const std::string out = (dir_ / "r.json").string();
  ASSERT_EQ(qbench({"run", "--config", write_config(kTinyConfig), "--out", out}), 0);
  const json doc = read(out);
  const json& q = doc["context"]["qbench"];
  for (const char* field : {"git_commit", "compiler", "cxx_flags", "cpu_model", "arch", "libraries", "config",
                            "config_sha256", "timed", "kernels", "verification", "weights_mode"})
    EXPECT_TRUE(q.contains(field)) << "context.qbench lacks " << field;
  EXPECT_EQ(q["partial"], false);
  EXPECT_EQ(q["config_sha256"].get<std::string>().size(), 64u);
  EXPECT_TRUE(q["kernels"]["uint4"]["implementation"].get<std::string>().rfind("u4_gemm_", 0) == 0);

  const std::regex name("gemm/(uint4|uint8|float32)/(8|3)/(100|17)/(10|300)");
  std::map<std::string, std::set<int>> repetitions;
  std::map<std::string, std::set<std::string>> aggregates;
  for (const json& b : doc["benchmarks"]) {
    const std::string run = b["run_name"];
    EXPECT_TRUE(std::regex_match(run, name)) << run;
    if (b["run_type"] == "iteration") {
      repetitions[run].insert(b["repetition_index"].get<int>());
      EXPECT_EQ(b["repetitions"], 3);
      EXPECT_GT(b["GOPS"].get<double>(), 0.0);
      EXPECT_EQ(b["time_unit"], "us");
    } else {
      aggregates[run].insert(b["aggregate_name"].get<std::string>());
    }
  }
  EXPECT_EQ(repetitions.size(), 6u);
  for (const auto& [run, indices] : repetitions) EXPECT_EQ(indices, (std::set<int>{0, 1, 2})) << run;
  for (const auto& [run, names] : aggregates)
    EXPECT_EQ(names, (std::set<std::string>{"mean", "median", "stddev", "cv"})) << run;
}

TEST_F(ResultsFileTest, NeverOverwritesSilently) {
  const std::string out = (dir_ / "r.json").string();
  std::ofstream(out) << "precious";
  EXPECT_EQ(qbench({"run", "--config", write_config(kTinyConfig), "--out", out}), 2);
  std::ifstream in(out);
  std::string content((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(content, "precious");
  EXPECT_EQ(qbench({"run", "--config", write_config(kTinyConfig), "--out", out, "--overwrite"}), 0);
  EXPECT_NO_THROW(read(out));
}

TEST_F(ResultsFileTest, InterruptLeavesAPartialFileOfCompletedRepetitions) {
  json slow = kTinyConfig;
  slow["repetitions"] = 50;
  slow["min_time"] = 0.1;
  const std::string out = (dir_ / "r.json").string();
  EXPECT_EQ(qbench({"run", "--config", write_config(slow), "--out", out}, 2.5), 130);
  ASSERT_TRUE(fs::exists(out));
  const json doc = read(out);
  EXPECT_EQ(doc["context"]["qbench"]["partial"], true);
  EXPECT_GE(doc["benchmarks"].size(), 1u);
  EXPECT_LT(doc["benchmarks"].size(), 6u * 50u);
  for (const json& b : doc["benchmarks"]) {
    EXPECT_FALSE(b.value("error_occurred", false));
    EXPECT_EQ(b["run_type"], "iteration");
  }
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << "temporary file left behind";
}

// The per-path ids of uint4 this CPU runs, and one it cannot: a compiled path whose ISA this CPU
// lacks, or else one not compiled into this binary (neon on x86, avx2 on ARM).
std::vector<std::string> runnable_uint4_paths() {
  std::vector<std::string> ids;
  for (const lowbit::GemmPath* p : lowbit::compiled_paths())
    if (p->scheme == lowbit::Scheme::kUint4 && lowbit::why_unusable(*p).empty())
      ids.push_back(std::string("uint4@") + lowbit::isa_name(p->isa));
  return ids;
}

std::string unrunnable_uint4_path() {
  for (const lowbit::GemmPath* p : lowbit::compiled_paths())
    if (p->scheme == lowbit::Scheme::kUint4 && !lowbit::why_unusable(*p).empty())
      return std::string("uint4@") + lowbit::isa_name(p->isa);
#if defined(__x86_64__)
  return "uint4@neon";
#else
  return "uint4@avx2";
#endif
}

TEST_F(ResultsFileTest, EveryPathOfAKernelIsVerifiedAndTimedInOneRun) {
  std::vector<std::string> ids = runnable_uint4_paths();
  ASSERT_FALSE(ids.empty());
  ids.push_back("uint4");
  std::string list;
  for (const std::string& id : ids) list += (list.empty() ? "" : ",") + id;
  const std::string out = (dir_ / "r.json").string();
  ASSERT_EQ(qbench({"run", "--config", write_config(kTinyConfig), "--kernels", list, "--out", out}), 0)
      << stderr_text();
  const json doc = read(out);
  const json& q = doc["context"]["qbench"];
  EXPECT_EQ(q["effective"]["kernels"], ids);
  std::map<std::string, int> timed;  // repetitions per kernel id, the second part of gemm/<id>/H/W/D
  for (const json& b : doc["benchmarks"]) {
    const std::string name = b["run_name"];
    const std::size_t from = name.find('/') + 1;
    if (b["run_type"] == "iteration") ++timed[name.substr(from, name.find('/', from) - from)];
  }
  for (const std::string& id : ids) {
    EXPECT_EQ(timed[id], 2 * 3) << id << ": 2 shapes x 3 repetitions";
    const std::string implementation = q["kernels"][id]["implementation"];
    if (id != "uint4") {
      EXPECT_EQ(implementation.substr(implementation.rfind("__") + 2), id.substr(id.find('@') + 1)) << id;
    }
  }
  int verified = 0;
  for (const json& v : q["verification"]) verified += v["ok"] == true;
  EXPECT_EQ(verified, static_cast<int>(2 * ids.size()));
}

TEST_F(ResultsFileTest, APathThisCpuCannotRunIsSkippedFromAConfigWithItsReason) {
  const std::string unrunnable = unrunnable_uint4_path();
  json config = kTinyConfig;
  config["kernels"] = {"uint4@scalar", unrunnable};
  const std::string out = (dir_ / "r.json").string();
  ASSERT_EQ(qbench({"run", "--config", write_config(config), "--out", out}), 0) << stderr_text();
  const json q = read(out)["context"]["qbench"];
  ASSERT_EQ(q["skipped"].size(), 1u);
  EXPECT_EQ(q["skipped"][0]["kernel"], unrunnable);
  EXPECT_NE(q["skipped"][0]["reason"].get<std::string>().find(unrunnable.substr(6)), std::string::npos)
      << "the reason names the instruction set: " << q["skipped"][0]["reason"];
  EXPECT_TRUE(q["kernels"].contains("uint4@scalar"));
  EXPECT_FALSE(q["kernels"].contains(unrunnable));
}

TEST_F(ResultsFileTest, APathThisCpuCannotRunIsAnErrorOnTheCommandLine) {
  const std::string unrunnable = unrunnable_uint4_path();
  const std::string out = (dir_ / "r.json").string();
  EXPECT_EQ(qbench({"run", "--config", write_config(kTinyConfig), "--kernels", "uint4," + unrunnable, "--out",
                    out}),
            2);
  EXPECT_NE(stderr_text().find("kernel '" + unrunnable + "' cannot run here"), std::string::npos)
      << stderr_text();
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(ResultsFileTest, AnUnknownInstructionSetIsAnError) {
  EXPECT_EQ(qbench({"run", "--config", write_config(kTinyConfig), "--kernels", "uint4@avx1024"}), 2);
  EXPECT_NE(stderr_text().find("unknown instruction set 'avx1024'"), std::string::npos) << stderr_text();
  json config = kTinyConfig;
  config["kernels"] = {"uint8", "uint8@avx1024"};
  EXPECT_EQ(qbench({"verify", "--config", write_config(config)}), 2);
  EXPECT_NE(stderr_text().find("kernels[1]: unknown instruction set 'avx1024'"), std::string::npos)
      << stderr_text();
}

TEST_F(ResultsFileTest, AnUnwritableResultsPathIsRefusedBeforeAnyWork) {
  const fs::path not_a_folder = dir_ / "file";
  std::ofstream(not_a_folder) << "x";
  for (const std::string& out :
       {std::string("/proc/qbench-results.json"), (not_a_folder / "r.json").string()}) {
    EXPECT_EQ(qbench({"run", "--config", write_config(kTinyConfig), "--out", out}), 2) << out;
    const std::string err = stderr_text();
    EXPECT_NE(err.find(out), std::string::npos) << "the message names the path: " << err;
    EXPECT_EQ(err.find("verify "), std::string::npos) << "nothing is verified first: " << err;
    EXPECT_EQ(err.find("timing"), std::string::npos) << "nothing is timed first: " << err;
  }
}

}  // namespace
