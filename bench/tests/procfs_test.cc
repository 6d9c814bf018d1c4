#include <gtest/gtest.h>

#include "procfs.h"

using ffbench::parse_statm;

TEST(Statm, ParsesSevenFields)
{
	const auto s = parse_statm("16900 16513 123 5 0 16600 0\n");
	ASSERT_TRUE(s.has_value());
	EXPECT_EQ(16900u, s->size);
	EXPECT_EQ(16513u, s->resident);
	EXPECT_EQ(123u, s->shared);
	EXPECT_EQ(16600u, s->data);
}

TEST(Statm, RejectsTooFewFields)
{
	EXPECT_FALSE(parse_statm("1 2 3 4 5 6").has_value());
}

TEST(Statm, RejectsTrailingGarbage)
{
	EXPECT_FALSE(parse_statm("1 2 3 4 5 6 7 8").has_value());
	EXPECT_FALSE(parse_statm("1 2 3 4 5 6 7x").has_value());
}

TEST(Statm, RejectsNegativeAndEmpty)
{
	EXPECT_FALSE(parse_statm("").has_value());
	EXPECT_FALSE(parse_statm("-1 2 3 4 5 6 7").has_value());
}

TEST(Statm, SelfRssIsPlausible)
{
	const auto rss = ffbench::self_rss_kb();
	ASSERT_TRUE(rss.has_value());
	EXPECT_GT(*rss, 0u);
}

TEST(Usage, SubtractionIsPerField)
{
	ffbench::Usage a{10, 2, 1.5, 0.75}, b{4, 1, 0.5, 0.25};
	const auto d = a - b;
	EXPECT_EQ(6u, d.minflt);
	EXPECT_EQ(1u, d.majflt);
	EXPECT_DOUBLE_EQ(1.0, d.user_s);
	EXPECT_DOUBLE_EQ(0.5, d.sys_s);
}
