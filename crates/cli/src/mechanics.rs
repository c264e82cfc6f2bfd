//! `loophole mechanics`: the grid mechanics a level file may declare, from
//! the engine's registry (as text, `--json`, or `--markdown`, the reference
//! table of docs/LEVELS.md).

use loophole_server::mechanics::{body, MechanicBody};

use crate::output::{self, Failure};

pub fn mechanics_cmd(json: bool, markdown: bool) -> Result<(), Failure> {
    let all = body();
    if json {
        let v = serde_json::to_value(&all)
            .map_err(|e| Failure::runtime(format!("cannot write JSON: {e}")))?;
        output::print_json(&v);
    } else if markdown {
        out!("{}", markdown_table(&all));
    } else {
        for m in &all {
            out!("{} — {}", m.name, m.about);
            for s in &m.settings {
                let need = if s.required { "required" } else { "optional" };
                out!("  setting {}={} ({need}): {}", s.name, s.value, s.about);
            }
            for s in &m.signals {
                out!("  signal  {}: {}", s.name, s.about);
            }
            for k in &m.kinds {
                let placed = if k.legend { "" } else { " (drawn only)" };
                out!("  kind    `{}` {}{placed}: {}", k.frame, k.name, k.about);
            }
        }
    }
    Ok(())
}

/// One row per mechanic: its settings, signals and kinds with their frame characters.
pub fn markdown_table(all: &[MechanicBody]) -> String {
    let code = |s: &str| format!("`{s}`");
    let mut out = String::from(
        "| mechanic | settings | signals | kinds (frame character) |\n|---|---|---|---|\n",
    );
    for m in all {
        let settings: Vec<String> = m
            .settings
            .iter()
            .map(|s| {
                let need = if s.required { "" } else { ", optional" };
                format!("{} ({}{need})", code(s.name), s.value)
            })
            .collect();
        let signals: Vec<String> = m.signals.iter().map(|s| code(s.name)).collect();
        let kinds: Vec<String> = m
            .kinds
            .iter()
            .map(|k| {
                let frame = if k.frame == " " { "blank" } else { &k.frame };
                let state = if k.legend { "" } else { ", drawn only" };
                format!("{} (`{frame}`{state})", code(k.name))
            })
            .collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            code(m.name),
            settings.join(", "),
            signals.join(", "),
            kinds.join(", ")
        ));
    }
    out.trim_end().to_string()
}
