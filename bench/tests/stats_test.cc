#include <gtest/gtest.h>

#include "stats.h"

using ffbench::median;
using ffbench::summarize;

TEST(Stats, MedianOfOddCountIsMiddle)
{
	EXPECT_DOUBLE_EQ(3.0, median({5, 1, 3}));
}

TEST(Stats, MedianOfEvenCountIsMeanOfMiddleTwo)
{
	EXPECT_DOUBLE_EQ(2.5, median({4, 1, 3, 2}));
}

TEST(Stats, MedianOfEmptyIsZero)
{
	EXPECT_DOUBLE_EQ(0.0, median({}));
}

TEST(Stats, SummaryOfKnownValues)
{
	const auto s = summarize({2, 4, 4, 4, 5, 5, 7, 9});
	EXPECT_EQ(8u, s.n);
	EXPECT_DOUBLE_EQ(2.0, s.min);
	EXPECT_DOUBLE_EQ(9.0, s.max);
	EXPECT_DOUBLE_EQ(5.0, s.mean);
	EXPECT_DOUBLE_EQ(4.5, s.median);
	EXPECT_NEAR(2.138, s.stddev, 1e-3);  // sample standard deviation
}

TEST(Stats, SingleValueHasNoSpread)
{
	const auto s = summarize({1.5});
	EXPECT_DOUBLE_EQ(1.5, s.median);
	EXPECT_DOUBLE_EQ(0.0, s.stddev);
}

TEST(Stats, EmptySummaryIsZero)
{
	const auto s = summarize({});
	EXPECT_EQ(0u, s.n);
	EXPECT_DOUBLE_EQ(0.0, s.mean);
}
