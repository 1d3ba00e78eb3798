//! `soak-plot --samples samples.csv --svg soak.svg`: plots a soak run's resident set and open
//! descriptors over time, prints how each grew, and exits 1 when either grew without bound
//! (`testkit::soak` says how that is judged), 2 when the samples cannot be read or plotted.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use plotters::prelude::*;
use testkit::soak::{Growth, Margin, Sample, growth, parse};

#[derive(Parser)]
#[command(
    name = "soak-plot",
    about = "Plots and judges a soak run's RSS and descriptors"
)]
struct Cli {
    /// `seconds,rss_kib,fds` lines, one a sample.
    #[arg(long)]
    samples: PathBuf,
    /// Where to write the plot.
    #[arg(long)]
    svg: PathBuf,
    /// MiB the resident set may rise from the middle third's peak to the last third's.
    #[arg(long, default_value_t = 8.0)]
    rss_margin_mib: f64,
    /// Percent of the middle third's peak it may rise, when that is more than the MiB.
    #[arg(long, default_value_t = 10.0)]
    rss_margin_percent: f64,
    /// Descriptors that may be open at the last third's peak beyond the middle third's.
    #[arg(long, default_value_t = 4.0)]
    fd_margin: f64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let samples = match std::fs::read_to_string(&cli.samples)
        .map_err(|e| format!("{}: {e}", cli.samples.display()))
        .and_then(|csv| parse(&csv))
    {
        Ok(samples) => samples,
        Err(e) => {
            eprintln!("soak-plot: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = plot(&samples, &cli.svg) {
        eprintln!("soak-plot: {}: {e}", cli.svg.display());
        return ExitCode::from(2);
    }
    let rss = growth(
        &samples,
        |s| mib(s.rss_kib),
        Margin {
            absolute: cli.rss_margin_mib,
            relative: cli.rss_margin_percent / 100.0,
        },
    );
    let fds = growth(
        &samples,
        |s| s.fds as f64,
        Margin {
            absolute: cli.fd_margin,
            relative: 0.0,
        },
    );
    let (Some(rss), Some(fds)) = (rss, fds) else {
        eprintln!(
            "soak-plot: {} samples are too few to judge (at least 3 a third)",
            samples.len()
        );
        return ExitCode::from(2);
    };
    report("RSS (MiB)", &rss);
    report("descriptors", &fds);
    if rss.bounded() && fds.bounded() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn report(name: &str, g: &Growth) {
    println!("{name}: {g}");
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Two charts over one time axis: the resident set above, the descriptors below.
fn plot(samples: &[Sample], path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (960, 640)).into_drawing_area();
    root.fill(&WHITE)?;
    let (top, bottom) = root.split_vertically(320);
    let end = samples.last().map_or(1.0, |s| s.seconds.max(1.0));
    let rss: Vec<(f64, f64)> = samples
        .iter()
        .map(|s| (s.seconds, mib(s.rss_kib)))
        .collect();
    let fds: Vec<(f64, f64)> = samples.iter().map(|s| (s.seconds, s.fds as f64)).collect();
    for (area, title, unit, points, colour) in [
        (&top, "Resident set of the server", "MiB", rss, &BLUE),
        (
            &bottom,
            "Open file descriptors of the server",
            "descriptors",
            fds,
            &RED,
        ),
    ] {
        let high = points.iter().map(|p| p.1).fold(0.0, f64::max) * 1.1 + 1.0;
        let mut chart = ChartBuilder::on(area)
            .caption(title, ("sans-serif", 20))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..end, 0.0..high)?;
        chart
            .configure_mesh()
            .x_desc("seconds since the server started")
            .y_desc(unit)
            .draw()?;
        chart.draw_series(LineSeries::new(points, colour))?;
    }
    root.present()?;
    Ok(())
}
