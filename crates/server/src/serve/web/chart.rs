//! The expiry timeline: one bar per day from today, its height the
//! number of certificates (not revoked) that expire that day, drawn as
//! inline SVG here so the page needs no script.

use certkit_ops::store::CertificateRecord;
use maud::{html, Markup};
use time::OffsetDateTime;

const WIDTH: u32 = 760;
const HEIGHT: u32 = 180;
const LEFT: u32 = 36;
const BOTTOM: u32 = 28;
const TOP: u32 = 16;

/// How many of `expiring` fall on each of the `days` days from `now`'s date.
pub fn per_day(expiring: &[CertificateRecord], now: OffsetDateTime, days: u32) -> Vec<u32> {
    let mut counts = vec![0u32; days as usize];
    let today = now.date();
    for r in expiring {
        let day = (r.expiry.date() - today).whole_days();
        if let Some(c) = usize::try_from(day).ok().and_then(|d| counts.get_mut(d)) {
            *c += 1;
        }
    }
    counts
}

/// The chart for `counts` (index 0: today).
pub fn timeline(counts: &[u32], now: OffsetDateTime) -> Markup {
    let days = counts.len().max(1) as u32;
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let plot_w = WIDTH - LEFT - 8;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w as f64 / f64::from(days);
    let bar = (slot * 0.8).max(1.0);
    // Around eight date labels, whatever the span.
    let label_every = days.div_ceil(8).max(1);
    let total: u32 = counts.iter().sum();
    html! {
        svg id="expiry-chart" xmlns="http://www.w3.org/2000/svg" role="img"
            width=(WIDTH) height=(HEIGHT) viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } {
            title { (total) " certificates expire in the next " (days) " days" }
            line x1=(LEFT) y1=(TOP + plot_h) x2=(WIDTH - 8) y2=(TOP + plot_h) class="axis" {}
            line x1=(LEFT) y1=(TOP) x2=(LEFT) y2=(TOP + plot_h) class="axis" {}
            text x=(LEFT - 6) y=(TOP + 4) text-anchor="end" class="tick" { (max) }
            text x=(LEFT - 6) y=(TOP + plot_h) text-anchor="end" class="tick" { "0" }
            @for (day, &count) in counts.iter().enumerate() {
                @let x = f64::from(LEFT) + slot * day as f64 + (slot - bar) / 2.0;
                @let h = f64::from(plot_h) * f64::from(count) / f64::from(max);
                @if count > 0 {
                    rect class="bar" data-day=(day) data-count=(count)
                        x=(format!("{x:.1}")) y=(format!("{:.1}", f64::from(TOP + plot_h) - h))
                        width=(format!("{bar:.1}")) height=(format!("{h:.1}")) {
                        title { (date(now, day)) ": " (count) " expiring" }
                    }
                    text x=(format!("{:.1}", x + bar / 2.0))
                        y=(format!("{:.1}", f64::from(TOP + plot_h) - h - 3.0))
                        text-anchor="middle" class="tick" { (count) }
                }
                @if day as u32 % label_every == 0 {
                    text x=(format!("{:.1}", x + bar / 2.0)) y=(HEIGHT - 8)
                        text-anchor="middle" class="tick" { (date(now, day)) }
                }
            }
        }
    }
}

fn date(now: OffsetDateTime, day: usize) -> String {
    let d = now.date() + time::Duration::days(day as i64);
    format!("{}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expiring_in(now: OffsetDateTime, days: i64) -> CertificateRecord {
        CertificateRecord {
            serial: "1".into(),
            aki: "aa".into(),
            ca_label: String::new(),
            status: "good".into(),
            reason: 0,
            expiry: now + time::Duration::days(days),
            revoked_at: None,
            pem: String::new(),
            issued_at: None,
            not_before: None,
            metadata: None,
            sans: None,
            common_name: None,
        }
    }

    #[test]
    fn counts_land_on_their_day() {
        let now = OffsetDateTime::now_utc();
        let rows: Vec<_> = [0, 2, 2, 9, 40, -1]
            .into_iter()
            .map(|d| expiring_in(now, d))
            .collect();
        let counts = per_day(&rows, now, 10);
        assert_eq!(counts, vec![1, 0, 2, 0, 0, 0, 0, 0, 0, 1]);
        let svg = timeline(&counts, now).into_string();
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 3, "{svg}");
        assert!(svg.contains("data-day=\"2\" data-count=\"2\""), "{svg}");
    }
}
