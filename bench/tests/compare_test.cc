#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "compare.h"

using ffbench::Record;

static Record rec(const std::string &kernel, const std::string &setting,
		  const std::string &workload, std::uint64_t minflt)
{
	Record r;
	r.kernel = kernel;
	r.setting = setting;
	r.workload = workload;
	r.bytes = 64ull << 20;
	r.minflt = minflt;
	r.rss_kb = 65536;
	r.sys_s = 0.1;
	r.faults_per_s = 1000;
	r.ops_per_s = 2000;
	return r;
}

static const ffbench::Metric &metric(const std::string &name)
{
	for (const auto &m : ffbench::compare_metrics())
		if (name == m.name)
			return m;
	throw std::logic_error("no metric " + name);
}

TEST(Compare, MergeKeepsEveryKernelsRecordsInOrder)
{
	const auto all = ffbench::merge_records(
		{{rec("6.1", "base", "dense-write", 16385)}, {rec("6.12", "base", "dense-write", 16384)}});
	ASSERT_EQ(2u, all.size());
	EXPECT_EQ("6.1", all[0].kernel);
	EXPECT_EQ("6.12", all[1].kernel);
}

TEST(Compare, MergeRefusesTwoRecordsOfOneKernelSettingAndWorkload)
{
	// Two kernels both reporting as uname -r "6.1.192+": not told apart.
	EXPECT_THROW(ffbench::merge_records({{rec("6.1.192+", "base", "dense-write", 1)},
					     {rec("6.1.192+", "base", "dense-write", 2)}}),
		     std::runtime_error);
}

TEST(Compare, TableGroupsRowsByWorkload)
{
	const auto table = ffbench::markdown_table(
		{rec("6.1", "base", "dense-write", 16385), rec("6.1", "base", "sparse-64k", 1024),
		 rec("6.12", "mthp-64k", "dense-write", 1026)});
	const auto dense = table.find("| dense-write | 6.1 | base | 16385 |");
	const auto dense612 = table.find("| dense-write | 6.12 | mthp-64k | 1026 |");
	const auto sparse = table.find("| sparse-64k | 6.1 | base | 1024 |");
	ASSERT_NE(std::string::npos, dense);
	ASSERT_NE(std::string::npos, dense612);
	ASSERT_NE(std::string::npos, sparse);
	EXPECT_LT(dense, dense612);
	EXPECT_LT(dense612, sparse);
}

TEST(Compare, TableShowsMissingContCoverageAsNotAvailable)
{
	const auto table = ffbench::markdown_table({rec("6.1", "base", "dense-write", 16385)});
	EXPECT_NE(std::string::npos, table.find("| n/a |"));
}

TEST(Compare, TableShowsTheWriterRateOrADash)
{
	Record spf = rec("6.1+fastfault", "spf", "spf-contended", 20000);
	spf.writer_ops_per_s = 321.4;
	const auto table =
		ffbench::markdown_table({rec("6.1", "base", "dense-write", 16385), spf});
	EXPECT_NE(std::string::npos, table.find("| ops/s | writer ops/s |\n"));
	EXPECT_NE(std::string::npos, table.find("| 2000 | - |\n"));
	EXPECT_NE(std::string::npos, table.find("| 2000 | 321 |\n"));
}

static Record spf_rec(const std::string &kernel, const std::string &setting,
		      const std::string &workload, double ops_per_s)
{
	Record r = rec(kernel, setting, workload, 1000);
	r.ops_per_s = ops_per_s;
	r.writer_ops_per_s = workload == "spf-alone" ? 0.0 : 50.0;
	return r;
}

TEST(Compare, SpfShareIsContendedOverAlonePerKernelAndSetting)
{
	const auto shares = ffbench::spf_shares(
		{spf_rec("6.1", "base", "spf-alone", 200000),
		 spf_rec("6.1+fastfault", "spf", "spf-alone", 210000),
		 spf_rec("6.1", "base", "spf-contended", 50000),
		 spf_rec("6.1+fastfault", "spf", "spf-contended", 168000),
		 rec("6.1", "base", "dense-write", 16385)});
	ASSERT_EQ(2u, shares.size());
	EXPECT_EQ("6.1", shares[0].kernel);
	EXPECT_EQ("base", shares[0].setting);
	EXPECT_DOUBLE_EQ(0.25, shares[0].share);
	EXPECT_EQ("6.1+fastfault", shares[1].kernel);
	EXPECT_DOUBLE_EQ(0.8, shares[1].share);
	EXPECT_EQ(50.0, shares[1].writer_ops_per_s);
	EXPECT_FALSE(shares[0].other_mm_share.has_value());
}

TEST(Compare, SpfShareBesideAnotherMmIsItsRateOverAlone)
{
	const auto shares = ffbench::spf_shares(
		{spf_rec("6.1", "base", "spf-alone", 200000),
		 spf_rec("6.1", "base", "spf-contended", 50000),
		 spf_rec("6.1", "base", "spf-other-mm", 150000)});
	ASSERT_EQ(1u, shares.size());
	ASSERT_TRUE(shares[0].other_mm_share.has_value());
	EXPECT_DOUBLE_EQ(0.75, *shares[0].other_mm_share);
}

TEST(Compare, SpfShareNeedsBothWorkloadsAndAnUncontendedRate)
{
	EXPECT_TRUE(ffbench::spf_shares({spf_rec("6.1", "base", "spf-alone", 200000),
					 spf_rec("6.12", "base", "spf-contended", 1000)})
			    .empty());
	EXPECT_TRUE(ffbench::spf_shares({spf_rec("6.1", "base", "spf-alone", 0),
					 spf_rec("6.1", "base", "spf-contended", 1000)})
			    .empty());
}

TEST(Compare, SpfShareTableHasARowPerPairAndIsEmptyWithoutOne)
{
	EXPECT_EQ("", ffbench::spf_share_table({rec("6.1", "base", "dense-write", 16385)}));
	const auto table = ffbench::spf_share_table(
		{spf_rec("6.1", "base", "spf-alone", 200000),
		 spf_rec("6.1", "base", "spf-contended", 97300)});
	EXPECT_NE(std::string::npos, table.find("| kernel | setting | spf-alone ops/s |"));
	EXPECT_NE(std::string::npos, table.find("| 6.1 | base | 200000 | 97300 | 48.6% | 50 | - |\n"));
	const auto with_other = ffbench::spf_share_table(
		{spf_rec("6.1", "base", "spf-alone", 200000),
		 spf_rec("6.1", "base", "spf-contended", 97300),
		 spf_rec("6.1", "base", "spf-other-mm", 150000)});
	EXPECT_NE(std::string::npos,
		  with_other.find("| 6.1 | base | 200000 | 97300 | 48.6% | 50 | 75.0% |\n"));
}

TEST(Compare, PlotDataHasAColumnPerKernelAndSettingAndDashesForGaps)
{
	const auto data = ffbench::plot_data(
		{rec("6.1", "base", "dense-write", 16385), rec("6.1", "base", "gup-pin", 0),
		 rec("6.12", "mthp-64k", "dense-write", 1026)},
		metric("minflt"));
	EXPECT_EQ("workload\t\"6.1 base\"\t\"6.12 mthp-64k\"\n"
		  "dense-write\t16385\t1026\n"
		  "gup-pin\t0\t-\n",
		  data);
}

TEST(Compare, ContCoverageIsTheShareOfTheWorkloadsMemory)
{
	Record r = rec("6.12", "mthp-64k", "dense-write", 1026);
	r.cont_kb = 32768;  // half of 64 MiB
	EXPECT_DOUBLE_EQ(50.0, *metric("cont_percent").value(r));
	r.cont_kb.reset();
	EXPECT_FALSE(metric("cont_percent").value(r).has_value());
	r.cont_kb = 64;
	r.bytes = 0;
	EXPECT_FALSE(metric("cont_percent").value(r).has_value());
}
