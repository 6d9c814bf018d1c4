# compare.gp: the plots of make compare, from ffcompare's data files.
#   gnuplot -e "dir='out/compare'" scripts/compare.gp
#   in:  DIR/{minflt,rss_mib,cont_percent,sys_s,faults_per_s}.dat: a row per
#        workload, a column per kernel and setting, "-" where one did not run
#   out: DIR/compare.png and DIR/compare.svg, one panel per figure
if (!exists("dir")) dir = "out/compare"
metrics = "minflt rss_mib cont_percent sys_s faults_per_s"
titles = "'minor faults' 'RSS at the end (MiB)' 'memory in contiguous blocks (%)' \
'system time (s)' 'faults per second'"

set datafile separator "\t"
set datafile missing "-"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set yrange [0:*]
set xtics nomirror rotate by -20
set key outside right top vertical Left reverse noenhanced font ",9"
set tics font ",9"
# Twelve colours that stay apart, so that no two bars of a panel share one.
palette = "#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf #393b79 #ad494a"
do for [i=1:words(palette)] { set linetype i linecolor rgb word(palette, i) }
set linetype cycle words(palette)

# The header's fields: the workload, then one per kernel and setting.
columns = int(system("head -n 1 '".dir."/minflt.dat' | awk -F'\t' '{ print NF }'"))

do for [out in "png svg"] {
	if (out eq "png") {
		set terminal pngcairo size 1400,2000 font ",10" noenhanced
	} else {
		set terminal svg size 1400,2000 font ",10" noenhanced dynamic
	}
	set output dir."/compare.".out
	set multiplot layout words(metrics),1 title "fastfault: 6.1, 6.1 with the series, 6.12 (medians)"
	do for [i=1:words(metrics)] {
		set title word(titles, i)
		plot for [c=2:columns] dir."/".word(metrics, i).".dat" \
			using c:xtic(1) title columnheader(c)
	}
	unset multiplot
	unset output
}
