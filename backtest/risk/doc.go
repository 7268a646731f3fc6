// Package risk is the statistics leaf that the backtest, sweep and report
// packages share: interval estimates for liquidation frequencies (naive and
// cluster-aware), survival to the first liquidation, paired isolated−cross
// differences and summaries of loss distributions. It imports only the standard library and gonum
// (DESIGN.md §1), takes plain values and returns plain structs
// (DESIGN.md §5, §7); rendering is someone else's job.
//
// # Conventions
//
//   - Intervals are two-sided at level conf, a probability in (0, 1) such as
//     0.95: each tail holds α/2 with α = 1 − conf. A conf outside (0, 1) is a
//     programmer error and panics. The normal critical value is
//     z = Φ⁻¹(1 − α/2) (1.959964 at conf 0.95).
//   - An Interval's Estimate is the point estimate of the method (the sample
//     proportion, the rate, the mean, the statistic on the full sample); Lo and
//     Hi bound it. An interval with no information (no trials, no exposure, an
//     empty sample) is all NaN: NaN marks "undefined", never zero.
//   - Quantiles use definition 7 of Hyndman & Fan (1996), the linear
//     interpolation between order statistics that is the default of R's
//     quantile() and numpy.quantile (method "linear"). gonum's stat.Quantile
//     offers neither: its Empirical kind is type 1 and its LinInterp type 4.
//   - Sample variance divides by n − 1.
//   - Samples of a metric (Describe, MeanCI, MedianCI, Bootstrap, BootstrapMeanDiff)
//     skip NaN values, which mark runs where the metric is undefined (say,
//     return on capital at risk when nothing was at risk); paired samples skip
//     a pair when either side is NaN. ±Inf values are kept.
//   - Cluster-aware functions (ClusterRate, ClusterShare, ClusterMedian,
//     BootstrapRatio) take one entry per independent cluster (a Monte Carlo
//     path, a block of time) holding that cluster's sums: events and
//     exposure, successes and trials, or the values with their cluster
//     index. Everything inside a cluster may be dependent; clusters are
//     assumed independent. Their bootstraps resample clusters with
//     replacement (ClusterWeights) and studentise; with fewer than
//     MinClusters clusters carrying events they fall back to an interval
//     that needs no bootstrap (EpisodeRate, WilsonClusters) or to none,
//     and say so in their second result or by NaN bounds.
//   - Inputs are never modified.
//   - Randomness is injected as a *rand.Rand from math/rand/v2; nothing here
//     uses a global generator, so a fixed seed gives identical results on every
//     machine, whatever the worker count.
//   - Panics are kept for programmer errors (mismatched slice lengths, counts
//     out of range, a probability outside [0, 1], unsorted input to Quantile,
//     reps < 1, a nil generator) and say what went wrong; bad data gives NaN.
//
// # Units
//
// The package is unit-free. Time in KaplanMeier is whatever the caller uses
// (DESIGN.md uses years of 365.25 days for time to first liquidation).
// PoissonRate returns events per unit of exposure: pass exposure = positions
// opened ÷ 1000 for liquidations per 1,000 positions, or exposure = years
// for liquidations per year. ClusterRate, EpisodeRate and BootstrapRatio
// take exposures in the same units, per cluster.
//
// # Which interval
//
// PoissonRate, Wilson and MedianCI assume independent events, trials and
// values. Liquidations are not: one crash liquidates many positions, and
// every cell run on one price path shares its crashes. Where that holds,
// use the cluster-aware functions with the independent unit as the
// cluster. The coverage tests (coverage_test.go) show the difference on
// clustered liquidations with a known rate: 95 % intervals that treat
// liquidations as independent cover the truth 49–72 % of the time,
// ClusterRate 94–97 %; for a share of runs Wilson covers about 62 %,
// ClusterShare about 95 %; for a median loss MedianCI about 54 %,
// ClusterMedian about 95 %.
//
// # References
//
//   - Wilson, E. B. (1927). Probable inference, the law of succession, and
//     statistical inference. JASA 22:209–212.
//   - Newcombe, R. G. (1998). Two-sided confidence intervals for the single
//     proportion: comparison of seven methods. Statistics in Medicine
//     17:857–872.
//   - Garwood, F. (1936). Fiducial limits for the Poisson distribution.
//     Biometrika 28:437–442.
//   - Ulm, K. (1990). A simple method to calculate the confidence interval of
//     a standardized mortality ratio. Am. J. Epidemiol. 131:373–375.
//   - Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from
//     incomplete observations. JASA 53:457–481.
//   - Greenwood, M. (1926). The natural duration of cancer. Reports on Public
//     Health and Medical Subjects 33. HMSO, London.
//   - Kalbfleisch, J. D. & Prentice, R. L. (2002). The Statistical Analysis of
//     Failure Time Data, 2nd ed., §1.4. Wiley.
//   - Collett, D. (2015). Modelling Survival Data in Medical Research, 3rd
//     ed., §2.2.3. CRC Press.
//   - Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap,
//     ch. 13 (percentile intervals). Chapman & Hall.
//   - Hyndman, R. J. & Fan, Y. (1996). Sample quantiles in statistical
//     packages. The American Statistician 50:361–365.
//   - Student (1908). The probable error of a mean. Biometrika 6:1–25.
//   - Efron, B. & Tibshirani, R. J. (1993), §12.5: the bootstrap-t
//     (studentised) interval.
//   - Davison, A. C. & Hinkley, D. V. (1997). Bootstrap Methods and their
//     Application. Cambridge University Press: §2.7.2 (nonparametric delta
//     method, the ratio's linearisation variance), §3.8 (hierarchical
//     data: resample the top-level units), §5.2 (studentised intervals).
//   - Field, C. A. & Welsh, A. H. (2007). Bootstrapping clustered data.
//     JRSS B 69:369–390.
//   - Cochran, W. G. (1977). Sampling Techniques, 3rd ed., ch. 6 (the ratio
//     estimator and its variance). Wiley.
//   - Carlstein, E. (1986). The use of subseries values for estimating the
//     variance of a general statistic from a stationary sequence. Ann.
//     Statist. 14:1171–1179 (non-overlapping blocks).
//   - Künsch, H. R. (1989). The jackknife and the bootstrap for general
//     stationary observations. Ann. Statist. 17:1217–1241.
//   - Politis, D. N. & Romano, J. P. (1994). The stationary bootstrap. JASA
//     89:1303–1313.
//   - Hall, P., Horowitz, J. L. & Jing, B.-Y. (1995). On blocking rules for
//     the bootstrap with dependent data. Biometrika 82:561–574.
//   - Lahiri, S. N. (2003). Resampling Methods for Dependent Data.
//     Springer.
//   - Woodruff, R. S. (1952). Confidence intervals for medians and other
//     position measures. JASA 47:635–646.
//   - Francisco, C. A. & Fuller, W. A. (1991). Quantile estimation with a
//     complex survey design. Ann. Statist. 19:454–469.
//   - Sitter, R. R. & Wu, C. (2001). A note on Woodruff confidence
//     intervals for quantiles. Statist. Probab. Lett. 52:353–358.
//   - Fay, M. P. & Feuer, E. J. (1997). Confidence intervals for directly
//     standardized rates: a method based on the gamma distribution.
//     Statistics in Medicine 16:791–801.
//   - Kish, L. (1965). Survey Sampling, §5.4 (the design effect). Wiley.
//   - Conover, W. J. (1999). Practical Nonparametric Statistics, 3rd ed.,
//     §3.2 (confidence interval for a quantile). Wiley.
//   - Campbell, M. J. & Gardner, M. J. (1988). Calculating confidence
//     intervals for some non-parametric analyses. BMJ 296:1454–1456.
package risk
