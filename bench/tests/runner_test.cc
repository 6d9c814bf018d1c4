#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "options.h"
#include "runner.h"
#include "workloads.h"

using namespace ffbench;

TEST(Aggregate, TakesMediansAndRates)
{
	std::vector<Sample> s(3);
	s[0].minflt = 100; s[1].minflt = 300; s[2].minflt = 200;
	s[0].wall_s = 1.0; s[1].wall_s = 3.0; s[2].wall_s = 2.0;
	for (auto &x : s) {
		x.ops = 400;
		x.bytes = 4096;
	}
	const Record r = aggregate("k", "base", "w", s);
	EXPECT_EQ(200u, r.minflt);
	EXPECT_DOUBLE_EQ(2.0, r.wall_s);
	EXPECT_DOUBLE_EQ(200.0, r.ops_per_s);
	EXPECT_DOUBLE_EQ(100.0, r.faults_per_s);
	EXPECT_EQ(3u, r.runs);
	EXPECT_FALSE(r.cont_kb.has_value());
}

TEST(Aggregate, ContKbOnlyWhenEveryRunHasIt)
{
	std::vector<Sample> s(2);
	s[0].cont_kb = 64;
	s[1].cont_kb = -1;
	EXPECT_FALSE(aggregate("k", "s", "w", s).cont_kb.has_value());
	s[1].cont_kb = 128;
	EXPECT_EQ(96u, aggregate("k", "s", "w", s).cont_kb.value());
}

TEST(Workloads, RandomQuarterIsDistinctAndSeeded)
{
	const auto a = random_quarter(16384, 7);
	ASSERT_EQ(4096u, a.size());
	EXPECT_EQ(4096u, std::set<std::uint64_t>(a.begin(), a.end()).size());
	EXPECT_EQ(a, random_quarter(16384, 7));
	EXPECT_NE(a, random_quarter(16384, 8));
}

TEST(Workloads, EveryIssueWorkloadExists)
{
	for (const char *n : {"dense-write", "sparse-64k", "random-4k", "file-read",
			      "threads-fault", "threads-fault-mmap"})
		EXPECT_NE(nullptr, find_workload(n)) << n;
}

// Runs real workloads, small, on the host: the whole measuring path.
TEST(Runner, DenseWriteFaultsEveryPage)
{
	Params p;
	p.bytes = 4 << 20;
	const Sample s = run_in_child(*find_workload("dense-write"), p);
	EXPECT_EQ(1024u, s.ops);
	EXPECT_GE(s.minflt, 1u);
	EXPECT_GE(s.rss_kb, 4096u / 2);
}

TEST(Runner, SmallThreadsWorkloadsRun)
{
	Params p;
	p.thread_bytes = 1 << 20;
	p.iterations = 2;
	p.threads = 2;
	EXPECT_EQ(2u * 2 * 256, run_in_child(*find_workload("threads-fault-mmap"), p).ops);
}

TEST(Runner, FileReadChecksItsData)
{
	Params p;
	p.bytes = 2 << 20;
	p.file_dir = "/tmp";
	EXPECT_EQ(512u, run_in_child(*find_workload("file-read"), p).ops);
}

TEST(Runner, ChildErrorIsReported)
{
	Params p;
	p.bytes = 1 << 20;
	p.file_dir = "/nonexistent-dir";
	EXPECT_THROW(run_in_child(*find_workload("file-read"), p), std::runtime_error);
}

TEST(Options, DefaultsAndValues)
{
	auto r = parse_options({"--json", "/tmp/x.json", "--setting", "reserve-seed",
				"--runs", "5", "--workload", "dense-write", "--size-mib", "8"});
	ASSERT_TRUE(std::holds_alternative<Options>(r));
	const Options &o = std::get<Options>(r);
	EXPECT_EQ("/tmp/x.json", o.json_path);
	EXPECT_EQ("reserve-seed", o.setting);
	EXPECT_EQ(5u, o.runs);
	EXPECT_EQ(8ull << 20, o.params.bytes);
	ASSERT_EQ(1u, o.workloads.size());
}

TEST(Options, BadInputGetsAClearError)
{
	const std::vector<std::vector<std::string>> bad = {
		{"--runs", "0"}, {"--runs", "x"}, {"--runs"}, {"--workload", "nope"},
		{"--setting", "a b"}, {"--setting", ""}, {"--size-mib", "-1"},
		{"--frobnicate"}, {"--json"}, {"--append"},
	};
	for (const auto &args : bad) {
		auto r = parse_options(args);
		ASSERT_TRUE(std::holds_alternative<std::string>(r)) << args[0];
		EXPECT_FALSE(std::get<std::string>(r).empty());
	}
}
