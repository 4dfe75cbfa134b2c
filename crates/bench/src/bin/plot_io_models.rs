//! Draws the chart of `scripts/bench.sh io_models`: round trips per second
//! against connections held (log scales), one line per I/O model.
//!
//! Input: lines `MODEL CONNECTIONS ROUND_TRIPS_PER_SECOND` (the medians the
//! script computed), in any order. Output: an SVG file.
//! `plot_io_models --input figures.txt --output docs/io_models.svg`

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use plotters::prelude::*;

/// Draws the io_models benchmark chart (SVG) from its medians.
#[derive(Debug, Parser)]
#[command(after_help = "Example: plot_io_models --input figures.txt --output docs/io_models.svg")]
struct Args {
    /// Lines of `MODEL CONNECTIONS RPS`.
    #[arg(long)]
    input: PathBuf,
    /// The SVG to write.
    #[arg(long)]
    output: PathBuf,
    /// The title above the chart.
    #[arg(
        long,
        default_value = "io_models: round trips/s, 50 active connections, the rest idle"
    )]
    title: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("plot_io_models: {e}");
            ExitCode::FAILURE
        }
    }
}

type Lines = BTreeMap<String, Vec<(f64, f64)>>;

fn read(args: &Args) -> Result<Lines, String> {
    let text = std::fs::read_to_string(&args.input)
        .map_err(|e| format!("cannot read {}: {e}", args.input.display()))?;
    let mut lines = Lines::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let parsed = match fields.as_slice() {
            [model, conns, rps] => conns
                .parse::<f64>()
                .ok()
                .zip(rps.parse::<f64>().ok())
                .map(|p| (*model, p)),
            _ => None,
        };
        let Some((model, point)) = parsed.filter(|(_, (c, r))| *c > 0.0 && *r > 0.0) else {
            return Err(format!(
                "line {}: expected MODEL CONNECTIONS RPS (positive), got {line:?}",
                n + 1
            ));
        };
        lines.entry(model.to_string()).or_default().push(point);
    }
    if lines.is_empty() {
        return Err("no figures in the input".to_string());
    }
    for points in lines.values_mut() {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    Ok(lines)
}

fn run(args: &Args) -> Result<(), String> {
    let lines = read(args)?;
    let all = lines.values().flatten();
    let max_conns = all.clone().map(|p| p.0).fold(1.0, f64::max);
    let (min_rps, max_rps) = all.fold((f64::MAX, 0.0f64), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));

    let root = SVGBackend::new(&args.output, (900, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let mut chart = ChartBuilder::on(&root)
        .caption(&args.title, ("sans-serif", 20))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d(
            (0.8..max_conns * 1.25).log_scale(),
            (min_rps / 1.5..max_rps * 1.5).log_scale(),
        )
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("connections held (log scale)")
        .y_desc("round trips per second (log scale)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()
        .map_err(|e| e.to_string())?;
    for (i, (model, points)) in lines.iter().enumerate() {
        let colour = Palette99::pick(i).to_rgba().stroke_width(2);
        chart
            .draw_series(LineSeries::new(points.iter().copied(), colour))
            .map_err(|e| e.to_string())?
            .label(model.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour));
        chart
            .draw_series(points.iter().map(|p| Circle::new(*p, 3, colour.filled())))
            .map_err(|e| e.to_string())?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())?;
    Ok(())
}
