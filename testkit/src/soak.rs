//! A soak run's samples of the server process, and the judgement of whether a resource grew
//! without bound.
//!
//! The first third of a run is warm-up (caches filling, connections opening, the allocator
//! finding its size) and is not judged. A bounded resource has reached its level by the middle
//! third, so the last third's peak stays within a margin of the middle third's; one that grows
//! for as long as the load runs (a leak, a map keyed by ever-new users) puts the last third's
//! peak above it by roughly a third of its total growth. Peaks rather than means: an allocator
//! that returns memory makes the level dip between requests, never rise.

use std::fmt;

/// One sample: seconds since the server started, its resident set in KiB, its open descriptors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    pub seconds: f64,
    pub rss_kib: u64,
    pub fds: u64,
}

/// Samples from `seconds,rss_kib,fds` lines; a header line and blank lines are skipped.
pub fn parse(csv: &str) -> Result<Vec<Sample>, String> {
    let mut samples = Vec::new();
    for (n, line) in csv.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let bad = || format!("line {}: expected seconds,rss_kib,fds: {line:?}", n + 1);
        let [seconds, rss, fds] = fields[..] else {
            return Err(bad());
        };
        samples.push(Sample {
            seconds: seconds.parse().map_err(|_| bad())?,
            rss_kib: rss.parse().map_err(|_| bad())?,
            fds: fds.parse().map_err(|_| bad())?,
        });
    }
    Ok(samples)
}

/// How much a resource may rise from the middle third's peak to the last third's: the larger of
/// `absolute` and `relative` times the middle peak.
#[derive(Clone, Copy, Debug)]
pub struct Margin {
    pub absolute: f64,
    pub relative: f64,
}

/// The peaks of one resource in the judged thirds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Growth {
    pub first: f64,
    pub last: f64,
    pub middle_peak: f64,
    pub last_peak: f64,
    pub allowed: f64,
}

impl Growth {
    pub fn bounded(&self) -> bool {
        self.last_peak <= self.middle_peak + self.allowed
    }
}

impl fmt::Display for Growth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "start {:.1}, end {:.1}; peak of the middle third {:.1}, of the last {:.1} (allowed {:.1} more): {}",
            self.first,
            self.last,
            self.middle_peak,
            self.last_peak,
            self.allowed,
            if self.bounded() {
                "levels off"
            } else {
                "still growing"
            }
        )
    }
}

/// The growth of `value` over `samples`, or `None` with too few samples to judge (fewer than
/// three in each third).
pub fn growth(
    samples: &[Sample],
    value: impl Fn(&Sample) -> f64,
    margin: Margin,
) -> Option<Growth> {
    let (start, end) = (samples.first()?.seconds, samples.last()?.seconds);
    let third = (end - start) / 3.0;
    let peak = |from: f64, to: f64| {
        samples
            .iter()
            .filter(|s| s.seconds >= from && s.seconds <= to)
            .map(&value)
            .fold((0usize, f64::MIN), |(n, max), v| (n + 1, max.max(v)))
    };
    let (middle_n, middle_peak) = peak(start + third, start + 2.0 * third);
    let (last_n, last_peak) = peak(start + 2.0 * third, end);
    if middle_n < 3 || last_n < 3 {
        return None;
    }
    Some(Growth {
        first: value(samples.first()?),
        last: value(samples.last()?),
        middle_peak,
        last_peak,
        allowed: margin.absolute.max(margin.relative * middle_peak),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: impl IntoIterator<Item = u64>) -> Vec<Sample> {
        values
            .into_iter()
            .enumerate()
            .map(|(i, v)| Sample {
                seconds: i as f64,
                rss_kib: v,
                fds: 29,
            })
            .collect()
    }

    const RSS: Margin = Margin {
        absolute: 2048.0,
        relative: 0.05,
    };

    #[test]
    fn a_resource_that_levels_off_after_warm_up_is_bounded() {
        let samples = series((0..90).map(|i| 50_000 + 300 * i.min(35)));
        let g = growth(&samples, |s| s.rss_kib as f64, RSS).expect("enough samples");
        assert!(g.bounded(), "{g}");
    }

    #[test]
    fn a_resource_that_rises_to_the_end_is_not_bounded() {
        let samples = series((0..90).map(|i| 50_000 + 300 * i));
        let g = growth(&samples, |s| s.rss_kib as f64, RSS).expect("enough samples");
        assert!(!g.bounded(), "{g}");
    }

    #[test]
    fn descriptors_that_stay_put_are_bounded() {
        let samples = series((0..30).map(|_| 1));
        let g = growth(
            &samples,
            |s| s.fds as f64,
            Margin {
                absolute: 4.0,
                relative: 0.0,
            },
        );
        assert!(g.expect("enough samples").bounded());
    }

    #[test]
    fn too_short_a_run_is_not_judged() {
        assert_eq!(
            growth(&series([1, 2, 3, 4]), |s| s.rss_kib as f64, RSS),
            None
        );
    }

    #[test]
    fn the_csv_header_is_skipped_and_a_bad_line_named() {
        let samples = parse("seconds,rss_kib,fds\n0,100,3\n1.5,200,4\n").expect("valid");
        assert_eq!(
            samples[1],
            Sample {
                seconds: 1.5,
                rss_kib: 200,
                fds: 4
            }
        );
        assert!(parse("0,100\n").unwrap_err().contains("line 1"));
    }
}
