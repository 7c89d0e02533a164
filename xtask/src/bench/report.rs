//! The report: one markdown table row per measurement, against the floor
//! and the targets, then the commands and notes.

use std::fmt::Write as _;
use std::path::Path;

use super::measure::{Cmd, Sample};
use super::opts::{Opts, many_runs};
use super::stats::{Stats, ms, peak_mib};

/// One row of the table.
pub(super) struct Row {
    pub(super) name: String,
    pub(super) command: String,
    pub(super) wall: Option<Stats>,
    pub(super) peak_mib: Option<f64>,
    /// Users per second (many-token rows).
    pub(super) rate: Option<f64>,
    pub(super) target: String,
    pub(super) note: String,
    /// The floor this row is compared with, when not moto's.
    pub(super) floor: Option<f64>,
}

impl Row {
    pub(super) fn timed(name: &str, cmd: &Cmd, samples: &[Sample], target: &str) -> Row {
        Row {
            name: name.to_owned(),
            command: cmd.shown(),
            wall: Some(ms(samples)),
            peak_mib: Some(peak_mib(samples)),
            rate: None,
            target: target.to_owned(),
            note: String::new(),
            floor: None,
        }
    }

    pub(super) fn skipped(name: &str, note: String) -> Row {
        Row {
            name: name.to_owned(),
            command: String::new(),
            wall: None,
            peak_mib: None,
            rate: None,
            target: String::new(),
            note,
            floor: None,
        }
    }
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{cpus} CPUs ({model}), Linux {}", kernel.trim())
}

/// The figures the rows are read against.
#[derive(Clone, Copy, Debug)]
pub(super) struct Figures {
    /// moto's floor: curl's median, in ms.
    pub(super) floor: f64,
    /// The emulator's capacity, users per second.
    pub(super) cap: f64,
    /// The SRP client math per sign-in, in µs.
    pub(super) srp_us: f64,
}

/// The report, in markdown.
pub(super) fn render(
    opts: &Opts,
    bin: &Path,
    emulator_desc: &str,
    figures: Figures,
    rows: &[Row],
    notes: &[String],
) -> String {
    let Figures { floor, cap, srp_us } = figures;
    let mut s = String::new();
    let cmd = if opts.quick {
        "cargo xtask bench --quick"
    } else {
        "cargo xtask bench"
    };
    let build = if bin.components().any(|c| c.as_os_str() == "release") {
        "release"
    } else {
        "debug"
    };
    let _ = writeln!(s, "## `{cmd}`\n");
    let _ = writeln!(
        s,
        "{} measured runs after {} warm-up per row (many tokens: {} interleaved pairs after one warm-up \
         each); {} build of the CLI; \
         emulator: {emulator_desc}; {}.\n",
        opts.runs,
        opts.warmup,
        many_runs(opts),
        build,
        machine()
    );
    if opts.quick {
        let _ = writeln!(
            s,
            "**Quick mode: debug build and few runs; the figures are not the targets.**\n"
        );
    }
    let _ = writeln!(
        s,
        "| what | wall min / median / max (ms) | × floor (median) | peak RSS (MiB) | users/s | target | met |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|");
    for r in rows {
        s.push_str(&table_line(r, floor, cap));
    }
    let _ = writeln!(
        s,
        "| SRP client math per sign-in (`SrpClient::new` + `claim_signature`, in process) | {:.2} | | | | ≤ 5 ms | {} |",
        srp_us / 1e3,
        // Unoptimised, the constant-time field arithmetic (crypto-bigint,
        // generic, so compiled at core's opt-level) is ten times slower:
        // the target is for the release build.
        if build == "release" {
            ok(srp_us <= 5000.0)
        } else {
            "(debug build: judged in release)".to_owned()
        }
    );
    let _ = writeln!(
        s,
        "\nCommands (secrets in the environment or 0600 files, never in arguments):\n"
    );
    for r in rows.iter().filter(|r| !r.command.is_empty()) {
        let _ = writeln!(s, "- {}: `{}`", r.name, r.command);
    }
    for n in notes {
        let _ = writeln!(s, "- {n}");
    }
    s
}

/// A row's line of the table, read against `floor` (unless the row has its
/// own) and the emulator's capacity `cap`.
fn table_line(r: &Row, floor: f64, cap: f64) -> String {
    let Some(w) = &r.wall else {
        return format!("| {} | — | — | — | — | | {} |\n", r.name, r.note);
    };
    let ratio = w.median / r.floor.unwrap_or(floor);
    let rate_ratio = r.rate.map(|x| x / cap);
    let met = match r.target.as_str() {
        t if t.starts_with("≤ 1.5") => ok(ratio <= 1.5 && r.peak_mib.is_some_and(|m| m <= 20.0)),
        t if t.starts_with("≤ 1.0") => ok(ratio <= 1.0 && r.peak_mib.is_some_and(|m| m <= 20.0)),
        t if t.starts_with("≤ 20") => ok(r.peak_mib.is_some_and(|m| m <= 20.0)),
        t if t.starts_with("≥ 0.8") => ok(rate_ratio.is_some_and(|x| x >= 0.8)),
        _ => String::new(),
    };
    let rate = match (r.rate, rate_ratio) {
        (Some(x), Some(q)) if r.target != "capacity" => format!("{x:.0} ({q:.2} × capacity)"),
        (Some(x), _) => format!("{x:.0}"),
        _ => "—".into(),
    };
    let ratio = if r.rate.is_some() {
        "—".to_owned()
    } else {
        format!("{ratio:.2}")
    };
    format!(
        "| {} | {:.1} / {:.1} / {:.1} | {} | {} | {} | {} | {} |\n",
        r.name,
        w.min,
        w.median,
        w.max,
        ratio,
        r.peak_mib.map_or("—".into(), |m| format!("{m:.1}")),
        rate,
        r.target,
        met
    )
}

fn ok(b: bool) -> String {
    if b { "yes".into() } else { "**no**".into() }
}
