//! Statistics over the measured runs: min / median / max, peak memory.

use super::measure::Sample;

#[derive(Clone, Debug)]
pub(super) struct Stats {
    pub(super) min: f64,
    pub(super) median: f64,
    pub(super) max: f64,
}

pub(super) fn stats(mut v: Vec<f64>) -> Stats {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Stats {
        min: v[0],
        median,
        max: v[n - 1],
    }
}

pub(super) fn ms(samples: &[Sample]) -> Stats {
    stats(samples.iter().map(|s| s.wall.as_secs_f64() * 1e3).collect())
}

pub(super) fn peak_mib(samples: &[Sample]) -> f64 {
    samples.iter().map(|s| s.rss_kib).max().unwrap_or(0) as f64 / 1024.0
}
