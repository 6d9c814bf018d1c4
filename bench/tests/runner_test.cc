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

TEST(AddRuns, CombinesRunsOfTheSameKernelSettingAndWorkload)
{
	std::vector<Sample> a(1), b(2), c(1);
	a[0].sys_s = 1.0;
	b[0].sys_s = 3.0;
	b[1].sys_s = 2.0;
	c[0].sys_s = 9.0;
	std::vector<Record> records;
	add_runs(records, aggregate("k", "base", "w", a));
	add_runs(records, aggregate("k", "other", "w", c));
	add_runs(records, aggregate("k", "base", "w", b));
	ASSERT_EQ(2u, records.size());
	EXPECT_EQ("base", records[0].setting);
	EXPECT_EQ(3u, records[0].runs);
	EXPECT_DOUBLE_EQ(2.0, records[0].sys_s);
	EXPECT_EQ(3u, records[0].samples.size());
	EXPECT_EQ(1u, records[1].runs);
	EXPECT_DOUBLE_EQ(9.0, records[1].sys_s);
}

TEST(AddRuns, RefusesARecordThatKeptNoRuns)
{
	std::vector<Record> records(1);
	records[0].kernel = "k";
	records[0].setting = "base";
	records[0].workload = "w";
	EXPECT_THROW(add_runs(records, aggregate("k", "base", "w", std::vector<Sample>(1))),
		     std::runtime_error);
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

TEST(Aggregate, WriterRateIsTheMedianOfEachRunsRate)
{
	std::vector<Sample> s(3);
	s[0].writer_loops = 10; s[0].wall_s = 1.0;  // 10/s
	s[1].writer_loops = 90; s[1].wall_s = 3.0;  // 30/s
	s[2].writer_loops = 40; s[2].wall_s = 2.0;  // 20/s
	EXPECT_EQ(20.0, aggregate("k", "s", "w", s).writer_ops_per_s);
}

TEST(Aggregate, WriterRateOnlyWhenEveryRunHadAWriter)
{
	std::vector<Sample> s(2);
	s[0].wall_s = s[1].wall_s = 1.0;
	EXPECT_FALSE(aggregate("k", "s", "w", s).writer_ops_per_s.has_value());
	s[0].writer_loops = 5;
	EXPECT_FALSE(aggregate("k", "s", "w", s).writer_ops_per_s.has_value());
	s[1].writer_loops = 0;  // a parked sibling: a rate of 0, not none
	s[0].writer_loops = 0;
	EXPECT_EQ(0.0, aggregate("k", "s", "w", s).writer_ops_per_s);
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
			      "threads-fault", "threads-fault-mmap", "gup-pin", "spf-alone",
			      "spf-contended", "spf-other-mm", "pf1", "pf2", "pf3"})
		EXPECT_NE(nullptr, find_workload(n)) << n;
}

TEST(Workloads, NamesAreDistinct)
{
	std::set<std::string> names;
	for (const auto &w : all_workloads())
		EXPECT_TRUE(names.insert(w.name).second) << w.name;
}

TEST(Workloads, PagePatternIsNeverZeroAndChangesEveryRound)
{
	for (std::uint64_t page = 0; page < 4096; page++) {
		for (unsigned round = 0; round < 300; round++) {
			ASSERT_NE(0, page_pattern(page, round)) << page << " " << round;
			ASSERT_NE(page_pattern(page, round), page_pattern(page, round + 1))
				<< page << " " << round;
		}
	}
}

TEST(Workloads, SpfLeavesACpuToTheSiblingButKeepsOneFaulter)
{
	EXPECT_EQ(1u, spf_faulters(1));
	EXPECT_EQ(1u, spf_faulters(2));
	EXPECT_EQ(7u, spf_faulters(8));
}

TEST(Workloads, PfLoopsTouchAsManyPagesAsThreadsFault)
{
	Params p;  // 16 rounds of 8 MiB: 8 loops of 16 MiB
	EXPECT_EQ(8u, pf_loops(p));
	p.iterations = 1;  // half a loop's worth: still one loop
	EXPECT_EQ(1u, pf_loops(p));
	p.pf_bytes = 1 << 20;
	p.thread_bytes = 1 << 20;
	p.iterations = 3;
	EXPECT_EQ(3u, pf_loops(p));
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

// Threaded workloads at test size: 1 MiB per thread (per loop for pf*).
static Params small_threads(unsigned iterations, unsigned threads)
{
	Params p;
	p.thread_bytes = 1 << 20;
	p.pf_bytes = 1 << 20;
	p.iterations = iterations;
	p.threads = threads;
	return p;
}

TEST(Runner, SmallThreadsWorkloadsRun)
{
	const Params p = small_threads(2, 2);
	const Sample mmap = run_in_child(*find_workload("threads-fault-mmap"), p);
	EXPECT_EQ(2u * 2 * 256, mmap.ops);
	EXPECT_GE(mmap.writer_loops, 0);
	EXPECT_EQ(-1, run_in_child(*find_workload("threads-fault"), p).writer_loops);
}

// spf-*: a CPU fewer faulters than threads-fault, the last one for the sibling.
TEST(Runner, SpfWorkloadsCountTheFaultersPagesAndTheSiblingsLoops)
{
	const Params p = small_threads(2, 3);
	const Sample alone = run_in_child(*find_workload("spf-alone"), p);
	EXPECT_EQ(2u * 2 * 256, alone.ops);
	EXPECT_EQ(2u << 20, alone.bytes);
	EXPECT_EQ(0, alone.writer_loops);
	const Sample contended = run_in_child(*find_workload("spf-contended"), p);
	EXPECT_EQ(2u * 2 * 256, contended.ops);
	EXPECT_GE(contended.writer_loops, 0);
	// The loops of another process are counted, and it is gone after.
	const Sample other = run_in_child(*find_workload("spf-other-mm"), p);
	EXPECT_EQ(2u * 2 * 256, other.ops);
	EXPECT_GE(other.writer_loops, 0);
}

TEST(Runner, PfWorkloadsWriteEveryPageOfEveryLoop)
{
	Params p = small_threads(3, 2);
	p.file_dir = "/tmp";
	for (const char *n : {"pf1", "pf2", "pf3"}) {
		const Sample s = run_in_child(*find_workload(n), p);
		EXPECT_EQ(2u * 3 * 256, s.ops) << n;
		EXPECT_EQ(2u << 20, s.bytes) << n;
		EXPECT_EQ(-1, s.writer_loops) << n;
		// The last loop stays mapped until after measuring.
		EXPECT_GE(s.rss_kb, 2048u) << n;
	}
}

TEST(Runner, PfFileWorkloadsNeedTheirDirectory)
{
	Params p = small_threads(1, 1);
	p.file_dir = "/nonexistent-dir";
	EXPECT_THROW(run_in_child(*find_workload("pf2"), p), std::runtime_error);
	EXPECT_NO_THROW(run_in_child(*find_workload("pf1"), p));
}

// A thread's exception must come back as the child's report, not abort it.
TEST(Runner, FailureInAWorkloadThreadIsReported)
{
	Params p;
	p.pf_bytes = 1ull << 50;  // more than any user address space: mmap fails
	p.threads = 2;
	try {
		run_in_child(*find_workload("pf1"), p);
		ADD_FAILURE() << "pf1 mapped 1 PiB";
	} catch (const std::runtime_error &e) {
		EXPECT_NE(std::string::npos, std::string(e.what()).find("pf1: mmap")) << e.what();
	}
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
