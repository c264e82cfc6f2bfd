//! SVG line charts for experiments (sweeps, reward-model overoptimization).

use plotters::prelude::*;

/// One curve: its name, its points, and optionally a spread band (x, low, high).
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub band: Option<Vec<(f64, f64, f64)>>,
}

const COLOURS: [RGBColor; 6] = [
    RGBColor(0xc2, 0x41, 0x0c), // orange: what was rewarded
    RGBColor(0x15, 0x80, 0x3d), // green: what was meant
    RGBColor(0x1d, 0x4e, 0xd8),
    RGBColor(0x7e, 0x22, 0xce),
    RGBColor(0x6b, 0x72, 0x80),
    RGBColor(0xb9, 0x1c, 0x1c),
];

fn bounds(series: &[Series], pick: impl Fn(f64, f64) -> f64) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for s in series {
        for &(x, y) in &s.points {
            let v = pick(x, y);
            lo = lo.min(v);
            hi = hi.max(v);
        }
        for &(x, l, h) in s.band.iter().flatten() {
            for y in [l, h] {
                let v = pick(x, y);
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-9 {
        return (lo - 1.0, hi + 1.0);
    }
    let pad = (hi - lo) * 0.05;
    (lo - pad, hi + pad)
}

/// Draws the series against a shared x axis, with labelled axes and a legend.
pub fn line_chart(
    title: &str,
    x_desc: &str,
    y_desc: &str,
    series: &[Series],
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let frame = Frame {
            title,
            title_size: 22,
            margin: 16,
            x_area: 44,
            y_area: 64,
        };
        draw_chart(&root, &frame, x_desc, y_desc, series)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// Sizes of one chart within its drawing area.
struct Frame<'a> {
    title: &'a str,
    title_size: u32,
    margin: u32,
    x_area: u32,
    y_area: u32,
}

/// One chart: axes, each series as a line with dots (and its spread band,
/// where it has one), and a legend.
fn draw_chart(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    frame: &Frame,
    x_desc: &str,
    y_desc: &str,
    series: &[Series],
) -> Result<(), String> {
    let (x0, x1) = bounds(series, |x, _| x);
    let (y0, y1) = bounds(series, |_, y| y);
    let mut chart = ChartBuilder::on(area)
        .caption(frame.title, ("sans-serif", frame.title_size))
        .margin(frame.margin)
        .x_label_area_size(frame.x_area)
        .y_label_area_size(frame.y_area)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .light_line_style(RGBColor(0xee, 0xee, 0xee))
        .draw()
        .map_err(|e| e.to_string())?;
    for (i, s) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        if let Some(band) = &s.band {
            let mut outline: Vec<(f64, f64)> = band.iter().map(|&(x, _, h)| (x, h)).collect();
            outline.extend(band.iter().rev().map(|&(x, l, _)| (x, l)));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    outline,
                    colour.mix(0.15).filled(),
                )))
                .map_err(|e| e.to_string())?;
        }
        chart
            .draw_series(LineSeries::new(
                s.points.iter().copied(),
                colour.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?
            .label(s.name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
            });
        chart
            .draw_series(s.points.iter().map(|&p| Circle::new(p, 3, colour.filled())))
            .map_err(|e| e.to_string())?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(0xcc, 0xcc, 0xcc))
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// One chart of a [`panels`] figure.
pub struct Panel {
    pub title: String,
    pub x_desc: String,
    pub y_desc: String,
    pub series: Vec<Series>,
}

/// Several charts side by side (`columns` per row) in one SVG, each with
/// its own axes and legend; series keep their colour by position.
pub fn panels(title: &str, panels: &[Panel], columns: usize) -> Result<String, String> {
    let columns = columns.clamp(1, panels.len().max(1));
    let rows = panels.len().div_ceil(columns).max(1);
    let size = (480 * columns as u32, 380 * rows as u32 + 40);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let root = root
            .titled(title, ("sans-serif", 22))
            .map_err(|e| e.to_string())?;
        let areas = root.split_evenly((rows, columns));
        for (panel, area) in panels.iter().zip(areas.iter()) {
            let frame = Frame {
                title: &panel.title,
                title_size: 16,
                margin: 12,
                x_area: 40,
                y_area: 56,
            };
            draw_chart(area, &frame, &panel.x_desc, &panel.y_desc, &panel.series)?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}
